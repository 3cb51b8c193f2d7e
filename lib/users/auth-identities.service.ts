import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthError } from '../errors/auth-error.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { BearerUserCache } from './bearer-user.cache.js';

/** One identity of a user, as `GET <prefix>/identities` shows it. */
export interface LinkedIdentity {
  id: string;
  /** Slug of the provider (null: an issuer no longer configured). */
  provider: string | null;
  issuer: string;
  subject: string;
  email: string | null;
  linkedAt: string;
}

/** What a removed identity was, so its sessions can end. */
export interface UnlinkedIdentity {
  issuer: string;
  subject: string;
  provider: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface IdentityRow {
  id: string;
  user_id: string;
  provider: string | null;
  issuer: string;
  subject: string;
  email: string | null;
  linked_at: Date | string;
}

/**
 * A user's identities (`auth_identities`): several providers' accounts of one person. Linking
 * adds the identity a provider just verified for a signed-in user, and never moves an identity
 * that another user has (409, nothing changed); nothing is ever linked by an email match. The
 * user's row is locked while identities change, so two unlinks cannot leave a user without any.
 */
@Injectable()
export class AuthIdentitiesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: ProviderRegistry,
    private readonly bearerUsers: BearerUserCache,
  ) {}

  async list(userId: string): Promise<LinkedIdentity[]> {
    const rows: IdentityRow[] = await this.dataSource.query(
      'SELECT id, user_id, provider, issuer, subject, email, linked_at FROM auth_identities WHERE user_id = $1 ORDER BY linked_at, id',
      [userId],
    );
    return rows.map((row) => this.toLinked(row));
  }

  /**
   * Adds (`issuer`, `subject`) to the user. `created: false` when the user had it already;
   * `409 AUTH_IDENTITY_CONFLICT` when another user has it (it stays theirs).
   */
  async link(
    userId: string,
    identity: { provider: string; issuer: string; subject: string; email: string | null },
  ): Promise<{ identity: LinkedIdentity; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const user: unknown[] = await manager.query('SELECT id FROM auth_users WHERE id = $1 FOR UPDATE', [userId]);
      if (user.length === 0) throw new AuthError('AUTH_SESSION_INVALID', 'The signed-in user no longer exists.');
      const inserted: IdentityRow[] = await manager.query(
        `INSERT INTO auth_identities (user_id, issuer, subject, provider, email, linked_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (issuer, subject) DO NOTHING RETURNING id, user_id, provider, issuer, subject, email, linked_at`,
        [userId, identity.issuer, identity.subject, identity.provider, identity.email],
      );
      if (inserted.length > 0) {
        this.bearerUsers.forget(identity.issuer, identity.subject);
        return { identity: this.toLinked(inserted[0]), created: true };
      }
      const [existing]: IdentityRow[] = await manager.query(
        'SELECT id, user_id, provider, issuer, subject, email, linked_at FROM auth_identities WHERE issuer = $1 AND subject = $2',
        [identity.issuer, identity.subject],
      );
      if (existing?.user_id !== userId) {
        throw new AuthError(
          'AUTH_IDENTITY_CONFLICT',
          'This account at the provider belongs to another user; sign in with it and unlink it there first.',
        );
      }
      return { identity: this.toLinked(existing), created: false };
    });
  }

  /**
   * Removes one of the user's identities. `404 AUTH_IDENTITY_NOT_FOUND` when it is not theirs,
   * `409 AUTH_LAST_IDENTITY` when it is their only one (they could never sign in again).
   */
  async unlink(userId: string, identityId: string): Promise<UnlinkedIdentity> {
    const notFound = () => new AuthError('AUTH_IDENTITY_NOT_FOUND', 'You have no identity with this id.');
    if (!UUID.test(identityId)) throw notFound();
    const removed = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT id FROM auth_users WHERE id = $1 FOR UPDATE', [userId]);
      const rows: IdentityRow[] = await manager.query(
        'SELECT id, user_id, provider, issuer, subject, email, linked_at FROM auth_identities WHERE user_id = $1',
        [userId],
      );
      const target = rows.find((row) => row.id === identityId.toLowerCase());
      if (!target) throw notFound();
      if (rows.length === 1)
        throw new AuthError('AUTH_LAST_IDENTITY', 'This is your only identity: link another provider before removing it.');
      await manager.query('DELETE FROM auth_identities WHERE id = $1 AND user_id = $2', [target.id, userId]);
      return target;
    });
    this.bearerUsers.forget(removed.issuer, removed.subject);
    return { issuer: removed.issuer, subject: removed.subject, provider: this.toLinked(removed).provider };
  }

  private toLinked(row: IdentityRow): LinkedIdentity {
    return {
      id: row.id,
      provider: row.provider ?? this.providers.byIssuer(row.issuer)?.slug ?? null,
      issuer: row.issuer,
      subject: row.subject,
      email: row.email,
      linkedAt: new Date(row.linked_at).toISOString(),
    };
  }
}
