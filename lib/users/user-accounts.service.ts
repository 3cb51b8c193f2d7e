import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { UserProfile } from './claims-mapper.interface.js';
import type { StoredUser } from './auth-user.js';
import { BearerUserCache } from './bearer-user.cache.js';
import { sanitizeProfile } from './claims-to-profile.js';

const USER_COLUMNS = 'u.id, u.email, u.display_name, u.username, u.avatar_url, u.roles, u.active, u.updated_at';

interface UserRow {
  id: string;
  email: string | null;
  display_name: string | null;
  username: string | null;
  avatar_url: string | null;
  roles: string[] | null;
  active: boolean;
  updated_at: Date | string | null;
}

/** Signals "another login created this identity first": the transaction rolls back, we update. */
class IdentityTakenError extends Error {}

/**
 * Creates and refreshes local users from verified claims. First logins race: the identity's
 * unique (issuer, subject) constraint decides the winner inside a transaction
 * (INSERT … ON CONFLICT DO NOTHING), so 50 concurrent first logins leave one user, one identity.
 */
@Injectable()
export class UserAccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bearerUsers: BearerUserCache,
  ) {}

  /** At login: refresh the profile and `last_login_at`, creating the user on first login. */
  async upsertAtLogin(issuer: string, subject: string, mapped: UserProfile): Promise<StoredUser> {
    const profile = sanitizeProfile(mapped);
    // This instance's bearer requests see the new roles at once (other replicas within 15 s).
    this.bearerUsers.forget(issuer, subject);
    const updated = await this.updateProfile(this.dataSource.manager, issuer, subject, profile);
    if (updated) return updated;
    try {
      return await this.dataSource.transaction((manager) => this.insertUser(manager, issuer, subject, profile, true));
    } catch (error) {
      if (!(error instanceof IdentityTakenError)) throw error;
      const winner = await this.updateProfile(this.dataSource.manager, issuer, subject, profile);
      if (!winner) throw new Error('identity vanished between insert and update', { cause: error });
      return winner;
    }
  }

  /**
   * For bearer tokens: the existing user, or a new one on first sight (profile not refreshed).
   * A new row's `updated_at` is the token's `iat` (`issuedAt`, seconds): its roles are that
   * token's, not newer knowledge, so a later token's roles still count (see `bearerRoles`).
   */
  async findOrCreate(issuer: string, subject: string, mapped: UserProfile, issuedAt?: number): Promise<StoredUser> {
    const existing = await this.find(issuer, subject);
    if (existing) return existing;
    try {
      const profile = sanitizeProfile(mapped);
      return await this.dataSource.transaction((manager) => this.insertUser(manager, issuer, subject, profile, false, issuedAt));
    } catch (error) {
      if (!(error instanceof IdentityTakenError)) throw error;
      const winner = await this.find(issuer, subject);
      if (!winner) throw new Error('identity vanished between insert and read', { cause: error });
      return winner;
    }
  }

  async find(issuer: string, subject: string): Promise<StoredUser | null> {
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM auth_users u JOIN auth_identities i ON i.user_id = u.id
        WHERE i.issuer = $1 AND i.subject = $2`,
      [issuer, subject],
    );
    return rows.length ? toStoredUser(rows[0]) : null;
  }

  private async updateProfile(manager: EntityManager, issuer: string, subject: string, p: UserProfile): Promise<StoredUser | null> {
    const result: [UserRow[], number] | UserRow[] = await manager.query(
      `UPDATE auth_users u
          SET email = $3, display_name = $4, username = $5, avatar_url = $6, roles = $7::jsonb,
              last_login_at = now(), updated_at = now()
         FROM auth_identities i
        WHERE i.user_id = u.id AND i.issuer = $1 AND i.subject = $2
        RETURNING ${USER_COLUMNS}`,
      [issuer, subject, p.email, p.displayName, p.username, p.avatarUrl, JSON.stringify(p.roles)],
    );
    const rows = returnedRows(result);
    return rows.length ? toStoredUser(rows[0]) : null;
  }

  private async insertUser(manager: EntityManager, issuer: string, subject: string, p: UserProfile, isLogin: boolean, issuedAt?: number): Promise<StoredUser> {
    const inserted: UserRow[] = await manager.query(
      `INSERT INTO auth_users AS u (email, display_name, username, avatar_url, roles, last_login_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, CASE WHEN $6::boolean THEN now() END, COALESCE(to_timestamp($7::double precision), now()))
       RETURNING ${USER_COLUMNS}`,
      [p.email, p.displayName, p.username, p.avatarUrl, JSON.stringify(p.roles), isLogin, Number.isFinite(issuedAt) ? issuedAt : null],
    );
    const linked: Array<{ user_id: string }> = await manager.query(
      `INSERT INTO auth_identities (user_id, issuer, subject) VALUES ($1, $2, $3)
       ON CONFLICT (issuer, subject) DO NOTHING RETURNING user_id`,
      [inserted[0].id, issuer, subject],
    );
    if (linked.length === 0) throw new IdentityTakenError();
    return { ...toStoredUser(inserted[0]), created: true };
  }
}

/** TypeORM's postgres driver returns `[rows, count]` for UPDATE … RETURNING. */
function returnedRows(result: [UserRow[], number] | UserRow[]): UserRow[] {
  return Array.isArray(result[0]) ? (result[0]) : (result as UserRow[]);
}

function toStoredUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    username: row.username,
    avatarUrl: row.avatar_url,
    roles: Array.isArray(row.roles) ? row.roles : [],
    active: row.active,
    updatedAt: row.updated_at === null ? null : new Date(row.updated_at),
  };
}
