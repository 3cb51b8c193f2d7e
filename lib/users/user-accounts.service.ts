import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthError, ForbiddenError } from '../errors/auth-error.js';
import type { ProvisioningSettings } from '../options/resolved-auth-options.js';
import { cleanEmailClaim } from '../tokens/claims.js';
import type { UserProfile } from './claims-mapper.interface.js';
import type { StoredUser } from './auth-user.js';
import { BearerUserCache } from './bearer-user.cache.js';
import { sanitizeProfile } from './claims-to-profile.js';
import { withGrantedRoles } from './granted-roles.js';

/** Who is signing in, and the provider's rules for unknown identities. */
export interface ProvisioningContext {
  /** Slug of the provider the identity comes from (stored with a new identity). */
  provider: string | null;
  rules: ProvisioningSettings;
  /** The verified claims say `email_verified: true` for the profile's email. */
  emailVerified: boolean;
}

/** No rules: every unknown identity gets a user (the behaviour before provisioning rules). */
const OPEN: ProvisioningContext = { provider: null, rules: { autoProvision: true, adminEmailDomains: new Set() }, emailVerified: false };

/** `UserAccountsService.invite` options. */
export interface InviteOptions {
  /** Roles the user has from the start and keeps whatever the provider reports. Default none. */
  roles?: string[];
  displayName?: string;
}

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
 *
 * An unknown identity is provisioned by the provider's rules: it claims a pending invite for its
 * verified email (only an invited user that no identity has claimed yet, never an existing one);
 * else, with `autoProvision`, it gets a new user (the role `admin` when its verified email is in
 * `adminEmailDomains`); else `403 AUTH_NOT_PROVISIONED`. Never is an identity joined to a user
 * by an email match alone.
 */
@Injectable()
export class UserAccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bearerUsers: BearerUserCache,
  ) {}

  /**
   * At login: refresh the profile and `last_login_at`; an unknown identity is provisioned by the
   * provider's rules (see the class). Throws `403 AUTH_NOT_PROVISIONED` when the rules refuse.
   */
  async upsertAtLogin(issuer: string, subject: string, mapped: UserProfile, context: ProvisioningContext = OPEN): Promise<StoredUser> {
    const profile = sanitizeProfile(mapped);
    // This instance's bearer requests see the new roles at once (other replicas within 15 s).
    this.bearerUsers.forget(issuer, subject);
    const updated = await this.updateProfile(this.dataSource.manager, issuer, subject, profile);
    if (updated) return updated;
    try {
      return await this.provision(issuer, subject, profile, context, true);
    } catch (error) {
      if (!(error instanceof IdentityTakenError)) throw error;
      const winner = await this.updateProfile(this.dataSource.manager, issuer, subject, profile);
      if (!winner) throw new Error('identity vanished between insert and update', { cause: error });
      return winner;
    }
  }

  /**
   * For bearer tokens: the existing user, or one provisioned on first sight by the same rules
   * as a login (profile not refreshed). A new row's `updated_at` is the token's `iat`
   * (`issuedAt`, seconds): its roles are that token's, not newer knowledge, so a later token's
   * roles still count (see `bearerRoles`).
   */
  async findOrCreate(
    issuer: string,
    subject: string,
    mapped: UserProfile,
    issuedAt?: number,
    context: ProvisioningContext = OPEN,
  ): Promise<StoredUser> {
    const existing = await this.find(issuer, subject);
    if (existing) return existing;
    try {
      return await this.provision(issuer, subject, sanitizeProfile(mapped), context, false, issuedAt);
    } catch (error) {
      if (!(error instanceof IdentityTakenError)) throw error;
      const winner = await this.find(issuer, subject);
      if (!winner) throw new Error('identity vanished between insert and read', { cause: error });
      return winner;
    }
  }

  /**
   * Pre-creates a user who may then sign in with any provider (also one with `autoProvision`
   * off): the first login whose verified email is this one claims the user. Returns the pending
   * invite when there is one for the email already; `409 AUTH_USER_EXISTS` when a user who has
   * signed in has the email (link that user's identities instead). A caller's bad email is a
   * `TypeError`.
   */
  async invite(email: string, options: InviteOptions = {}): Promise<StoredUser> {
    const address = cleanEmailClaim(typeof email === 'string' ? email.trim() : email);
    if (!address || !/^[^@\s]+@[^@\s]+$/.test(address)) throw new TypeError('invite(email): "email" must be an email address');
    const roles = sanitizeProfile({ email: null, displayName: null, username: null, avatarUrl: null, roles: options.roles ?? [] }).roles;
    const displayName =
      options.displayName === undefined
        ? null
        : sanitizeProfile({ email: null, displayName: options.displayName, username: null, avatarUrl: null, roles: [] }).displayName;
    return this.dataSource.transaction(async (manager) => {
      const taken: Array<{ invited: boolean }> = await manager.query(
        `SELECT u.invited_at IS NOT NULL AS invited FROM auth_users u
          WHERE lower(u.email) = lower($1) AND (u.invited_at IS NOT NULL OR EXISTS (SELECT 1 FROM auth_identities i WHERE i.user_id = u.id))`,
        [address],
      );
      if (taken.some((row) => !row.invited)) throw new AuthError('AUTH_USER_EXISTS', 'A user with this email has signed in already.');
      const rows: UserRow[] = await manager.query(
        `INSERT INTO auth_users AS u (email, display_name, roles, granted_roles, invited_at)
         VALUES ($1, $2, $3::jsonb, $3::jsonb, now())
         ON CONFLICT (lower(email)) WHERE invited_at IS NOT NULL DO UPDATE SET updated_at = u.updated_at
         RETURNING ${USER_COLUMNS}`,
        [address, displayName, JSON.stringify(roles)],
      );
      return toStoredUser(rows[0]);
    });
  }

  private async provision(
    issuer: string,
    subject: string,
    profile: UserProfile,
    context: ProvisioningContext,
    isLogin: boolean,
    issuedAt?: number,
  ): Promise<StoredUser> {
    if (profile.email && context.emailVerified) {
      const claimed = await this.claimInvite(issuer, subject, profile, context, isLogin);
      if (claimed) return claimed;
    }
    if (!context.rules.autoProvision) {
      throw new ForbiddenError(
        'AUTH_NOT_PROVISIONED',
        'There is no account here for this sign-in; ask an administrator for an invitation.',
      );
    }
    const domain = profile.email?.slice(profile.email.lastIndexOf('@') + 1).toLowerCase();
    const granted = context.emailVerified && domain !== undefined && context.rules.adminEmailDomains.has(domain) ? ['admin'] : [];
    return this.dataSource.transaction((manager) =>
      this.insertUser(manager, issuer, subject, profile, isLogin, issuedAt, granted, context.provider),
    );
  }

  /**
   * The pending invite for the identity's verified email, claimed: the identity is linked to the
   * invited user, who then is no longer pending. Null when there is none. The invited row is
   * locked, so two identities cannot claim one invite.
   */
  private async claimInvite(
    issuer: string,
    subject: string,
    p: UserProfile,
    context: ProvisioningContext,
    isLogin: boolean,
  ): Promise<StoredUser | null> {
    return this.dataSource.transaction(async (manager) => {
      const invited: Array<{ id: string }> = await manager.query(
        'SELECT id FROM auth_users WHERE invited_at IS NOT NULL AND lower(email) = lower($1) ORDER BY invited_at LIMIT 1 FOR UPDATE',
        [p.email],
      );
      if (invited.length === 0) return null;
      const [{ id }] = invited;
      // Re-read after the lock: an invite another login claimed meanwhile has an identity now.
      const claimedAlready: unknown[] = await manager.query('SELECT 1 FROM auth_identities WHERE user_id = $1 LIMIT 1', [id]);
      if (claimedAlready.length > 0) return null;
      const linked: unknown[] = await manager.query(
        `INSERT INTO auth_identities (user_id, issuer, subject, provider, email) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (issuer, subject) DO NOTHING RETURNING user_id`,
        [id, issuer, subject, context.provider, p.email],
      );
      if (linked.length === 0) throw new IdentityTakenError();
      const result: [UserRow[], number] | UserRow[] = await manager.query(
        `UPDATE auth_users u
            SET invited_at = NULL, email = $2, display_name = COALESCE($3, u.display_name), username = $4, avatar_url = $5,
                roles = ${withGrantedRoles('$6::jsonb', 'u.granted_roles')},
                last_login_at = CASE WHEN $7::boolean THEN now() ELSE u.last_login_at END, updated_at = now()
          WHERE u.id = $1 RETURNING ${USER_COLUMNS}`,
        [id, p.email, p.displayName, p.username, p.avatarUrl, JSON.stringify(p.roles), isLogin],
      );
      return { ...toStoredUser(returnedRows(result)[0]), created: true, claimedInvite: true };
    });
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
          SET email = $3, display_name = $4, username = $5, avatar_url = $6, roles = ${withGrantedRoles('$7::jsonb', 'u.granted_roles')},
              last_login_at = now(), updated_at = now()
         FROM auth_identities i
        WHERE i.user_id = u.id AND i.issuer = $1 AND i.subject = $2
        RETURNING ${USER_COLUMNS}`,
      [issuer, subject, p.email, p.displayName, p.username, p.avatarUrl, JSON.stringify(p.roles)],
    );
    const rows = returnedRows(result);
    return rows.length ? toStoredUser(rows[0]) : null;
  }

  private async insertUser(
    manager: EntityManager,
    issuer: string,
    subject: string,
    p: UserProfile,
    isLogin: boolean,
    issuedAt: number | undefined,
    granted: string[],
    provider: string | null,
  ): Promise<StoredUser> {
    const roles = [...new Set([...p.roles, ...granted])];
    const inserted: UserRow[] = await manager.query(
      `INSERT INTO auth_users AS u (email, display_name, username, avatar_url, roles, granted_roles, last_login_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $8::jsonb, CASE WHEN $6::boolean THEN now() END, COALESCE(to_timestamp($7::double precision), now()))
       RETURNING ${USER_COLUMNS}`,
      [
        p.email,
        p.displayName,
        p.username,
        p.avatarUrl,
        JSON.stringify(roles),
        isLogin,
        Number.isFinite(issuedAt) ? issuedAt : null,
        JSON.stringify(granted),
      ],
    );
    const linked: Array<{ user_id: string }> = await manager.query(
      `INSERT INTO auth_identities (user_id, issuer, subject, provider, email) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (issuer, subject) DO NOTHING RETURNING user_id`,
      [inserted[0].id, issuer, subject, provider, p.email],
    );
    if (linked.length === 0) throw new IdentityTakenError();
    return { ...toStoredUser(inserted[0]), created: true };
  }
}

/** TypeORM's postgres driver returns `[rows, count]` for UPDATE … RETURNING. */
function returnedRows(result: [UserRow[], number] | UserRow[]): UserRow[] {
  return Array.isArray(result[0]) ? result[0] : (result as UserRow[]);
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
