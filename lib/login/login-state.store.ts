import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface LoginState {
  state: string;
  codeVerifier: string;
  nonce: string;
  maxAge: number | null;
  returnTo: string;
}

const STATE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/**
 * Login state in PostgreSQL, so the callback may land on any replica. Single use: `consume`
 * deletes the row before anything checks it (DELETE … RETURNING), so a replayed or raced
 * callback finds nothing.
 */
@Injectable()
export class LoginStateStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async save(login: LoginState, ttlMs: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO auth_login_states (state_hash, code_verifier, nonce, max_age, return_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + ($6 || ' milliseconds')::interval)`,
      [hashState(login.state), login.codeVerifier, login.nonce, login.maxAge, login.returnTo, String(ttlMs)],
    );
  }

  /** The state's data if it exists and has not expired; null otherwise. Either way it is gone. */
  async consume(state: unknown): Promise<LoginState | null> {
    if (typeof state !== 'string' || !STATE_PATTERN.test(state)) return null;
    const result: [Array<{ code_verifier: string; nonce: string; max_age: number | null; return_to: string; live: boolean }>, number] =
      await this.dataSource.query(
        `DELETE FROM auth_login_states WHERE state_hash = $1
         RETURNING code_verifier, nonce, max_age, return_to, expires_at > now() AS live`,
        [hashState(state)],
      );
    const row = result[0]?.[0];
    if (!row || !row.live) return null;
    return { state, codeVerifier: row.code_verifier, nonce: row.nonce, maxAge: row.max_age, returnTo: row.return_to };
  }
}
