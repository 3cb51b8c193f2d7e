import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface LoginState {
  state: string;
  codeVerifier: string;
  nonce: string;
  maxAge: number | null;
  returnTo: string;
  /** The `acr_values` sent (a step-up login), space-separated; null: none. */
  acrValues: string | null;
  /** Slug of the provider the login started at: only its callback may complete it. */
  provider: string;
  /** Set when the login links a further identity to this signed-in user instead of signing in. */
  linkUserId: string | null;
}

/** What the callback finds for a `state` and the browser's binding. */
export type ConsumedLogin =
  | { outcome: 'ok'; login: LoginState }
  /** A live login exists, but another browser started it: it is left untouched. */
  | { outcome: 'other-browser' }
  /** Unknown, expired or already used. */
  | { outcome: 'unknown' };

/** Expired states are purged at most this often per instance (and at least, by a timer). */
const PURGE_INTERVAL_MS = 60_000;
/** One purge deletes at most this many rows per statement, and runs at most this many statements. */
const PURGE_BATCH = 1_000;
const PURGE_MAX_BATCHES = 20;

const STATE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/**
 * Login state in PostgreSQL, so the callback may land on any replica. Single use: `consume`
 * deletes the row before anything checks it (DELETE … RETURNING), so a replayed or raced
 * callback finds nothing. It deletes only when the browser binding matches too, so a callback
 * URL replayed in another browser cannot spend the login of the browser that started it.
 */
@Injectable()
export class LoginStateStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('NestfluxAuth');
  private nextPurgeAt = 0;
  private purging: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    // Logins that never come back leave rows behind: a timer clears them on idle instances too.
    this.timer = setInterval(() => void this.purgeExpired(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.purging;
  }

  async save(login: LoginState, browserBindingHash: string, ttlMs: number): Promise<void> {
    if (Date.now() >= this.nextPurgeAt) await this.purgeExpired();
    await this.dataSource.query(
      `INSERT INTO auth_login_states (state_hash, code_verifier, nonce, max_age, return_to, browser_binding_hash, expires_at, acr_values, provider, link_user_id)
       VALUES ($1, $2, $3, $4, $5, $6, now() + ($7 || ' milliseconds')::interval, $8, $9, $10)`,
      [
        hashState(login.state),
        login.codeVerifier,
        login.nonce,
        login.maxAge,
        login.returnTo,
        browserBindingHash,
        String(ttlMs),
        login.acrValues,
        login.provider,
        login.linkUserId,
      ],
    );
  }

  /** The state's data if it exists, is live and belongs to this browser; then it is gone. */
  async consume(state: unknown, browserBindingHash: string | undefined): Promise<ConsumedLogin> {
    if (typeof state !== 'string' || !STATE_PATTERN.test(state)) return { outcome: 'unknown' };
    const stateHash = hashState(state);
    if (browserBindingHash !== undefined) {
      type Row = {
        code_verifier: string;
        nonce: string;
        max_age: number | null;
        return_to: string;
        acr_values: string | null;
        provider: string | null;
        link_user_id: string | null;
        live: boolean;
      };
      const result: [Row[], number] = await this.dataSource.query(
        `DELETE FROM auth_login_states WHERE state_hash = $1 AND browser_binding_hash = $2
         RETURNING code_verifier, nonce, max_age, return_to, acr_values, provider, link_user_id, expires_at > now() AS live`,
        [stateHash, browserBindingHash],
      );
      const row = result[0]?.[0];
      if (row?.live) {
        return {
          outcome: 'ok',
          login: {
            state,
            codeVerifier: row.code_verifier,
            nonce: row.nonce,
            maxAge: row.max_age,
            returnTo: row.return_to,
            acrValues: row.acr_values,
            // Rows written before several providers existed belong to the default provider.
            provider: row.provider ?? '',
            linkUserId: row.link_user_id,
          },
        };
      }
      if (row) return { outcome: 'unknown' };
    }
    const [other] = await this.dataSource.query<unknown[]>(`SELECT 1 FROM auth_login_states WHERE state_hash = $1 AND expires_at > now()`, [
      stateHash,
    ]);
    return other ? { outcome: 'other-browser' } : { outcome: 'unknown' };
  }

  /**
   * Deletes expired login states in bounded batches (at most PURGE_BATCH × PURGE_MAX_BATCHES rows
   * a run), one run at a time per instance. Returns how many rows went. Never throws: a purge
   * that fails (database down) is retried at the next interval.
   */
  purgeExpired(): Promise<number> {
    this.purging ??= this.runPurge().finally(() => {
      this.purging = undefined;
    });
    return this.purging;
  }

  private async runPurge(): Promise<number> {
    this.nextPurgeAt = Date.now() + PURGE_INTERVAL_MS;
    let purged = 0;
    try {
      for (let batch = 0; batch < PURGE_MAX_BATCHES; batch++) {
        const result: [unknown[], number] = await this.dataSource.query(
          `DELETE FROM auth_login_states WHERE state_hash IN
             (SELECT state_hash FROM auth_login_states WHERE expires_at < now() LIMIT ${PURGE_BATCH})
           RETURNING 1`,
        );
        purged += result[1];
        if (result[1] < PURGE_BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`purging expired login states failed (${(error as { code?: string }).code ?? 'error'}); retrying later`);
    }
    return purged;
  }
}
