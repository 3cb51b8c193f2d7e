import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { hashSessionId, isWellFormedSessionId, newSessionId } from './session-id.js';
import { TokenCipher } from './token-cipher.js';

/** Long enough to follow a redirect, short enough that a link left in history is dead. */
const LINK_TTL_MS = 5 * 60_000;

/**
 * One-time logout links: the ID token that RP-initiated logout sends as `id_token_hint` stays
 * in the database (encrypted); the browser gets a random handle. Used once, on any replica.
 */
@Injectable()
export class LogoutLinkStore {
  private readonly cipher: TokenCipher;

  constructor(
    @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.cipher = new TokenCipher(settings.secret);
  }

  /** Stores the hint and returns the handle for the link. */
  async create(idToken: string | undefined): Promise<string> {
    const handle = newSessionId();
    await this.dataSource.query(
      `INSERT INTO auth_logout_links (handle_hash, id_token_enc, expires_at) VALUES ($1, $2, now() + ($3 || ' milliseconds')::interval)`,
      [this.key(handle), idToken ? this.cipher.encrypt(idToken) : null, String(LINK_TTL_MS)],
    );
    return handle;
  }

  /** Spends a handle (deleted before it is used); null when unknown, used, expired or malformed. */
  async consume(handle: unknown): Promise<{ idToken: string | undefined } | null> {
    if (!isWellFormedSessionId(handle)) return null;
    const result: [Array<{ id_token_enc: string | null; live: boolean }>, number] = await this.dataSource.query(
      'DELETE FROM auth_logout_links WHERE handle_hash = $1 RETURNING id_token_enc, expires_at > now() AS live',
      [this.key(handle)],
    );
    const row = result[0]?.[0];
    if (!row?.live) return null;
    return { idToken: row.id_token_enc ? this.cipher.decrypt(row.id_token_enc) : undefined };
  }

  /** Keyed apart from session ids, so a handle can never be confused with a session cookie. */
  private key(handle: string): string {
    return hashSessionId(this.settings.secret, `logout-link:${handle}`);
  }
}
