import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runAuthMigrations } from '../../../lib/database/auth-migration-runner.js';
import { authEntities, authMigrations } from '../../../lib/database/auth-schema.js';
import { createDirectorySource } from '../../../lib/sync/user-sync.providers.js';
import { resolveUserSyncOptions, type UserSyncOptions } from '../../../lib/sync/user-sync.options.js';
import { UserSyncService } from '../../../lib/sync/user-sync.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

export const ISSUER = 'https://idp.example.test/application/o/app/';

export interface LocalUser {
  id: string;
  subject: string;
  email: string | null;
  display_name: string | null;
  username: string | null;
  avatar_url: string | null;
  roles: string[];
  active: boolean;
  updated_at: Date;
  last_synced_at: Date | null;
}

export interface SyncRunRow {
  id: string;
  source: string;
  outcome: string;
  started_at: Date;
  finished_at: Date | null;
  fetched: number;
  created: number;
  updated: number;
  deactivated: number;
  unchanged: number;
  deactivation_skipped: string | null;
  matched: number;
  skipped: number;
  deactivation_candidates: number | null;
  deactivation_limit: number | null;
  deactivation_held: string | null;
  error: string | null;
}

/** A fresh database with the library's schema, and helpers to seed and read users. */
export class SyncHarness {
  private constructor(
    readonly db: TestDatabase,
    readonly dataSource: DataSource,
  ) {}

  static async create(): Promise<SyncHarness> {
    Logger.overrideLogger(['error']);
    const db = await createTestDatabase();
    const dataSource = new DataSource({ type: 'postgres', url: db.url, entities: authEntities, extra: { max: db.poolSize } });
    await dataSource.initialize();
    await runAuthMigrations(dataSource, authMigrations);
    return new SyncHarness(db, dataSource);
  }

  async close(): Promise<void> {
    await this.dataSource.destroy();
    await this.db.close();
  }

  /** A fast, deterministic service for the tests: short retry delays. */
  service(options: UserSyncOptions): UserSyncService {
    const resolved = resolveUserSyncOptions({
      issuer: ISSUER,
      retryBaseDelayMs: 5,
      maxRetryDelayMs: 50,
      requestTimeoutMs: 5000,
      ...options,
    });
    return new UserSyncService(this.dataSource, createDirectorySource(resolved), resolved);
  }

  /** A user who signed in once through OIDC: an `auth_users` row plus its identity. */
  async seed(
    subject: string,
    profile: { email?: string; displayName?: string; active?: boolean; issuer?: string; roles?: string[] } = {},
  ): Promise<string> {
    const [user]: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO auth_users (email, display_name, active, roles, last_login_at) VALUES ($1, $2, $3, $4::jsonb, now()) RETURNING id`,
      [profile.email ?? null, profile.displayName ?? null, profile.active ?? true, JSON.stringify(profile.roles ?? [])],
    );
    await this.dataSource.query(`INSERT INTO auth_identities (user_id, issuer, subject) VALUES ($1, $2, $3)`, [
      user.id,
      profile.issuer ?? ISSUER,
      subject,
    ]);
    return user.id;
  }

  /** Local users with an identity at `ISSUER`, by subject. */
  async users(): Promise<Map<string, LocalUser>> {
    const rows: LocalUser[] = await this.dataSource.query(
      `SELECT u.id, i.subject, u.email, u.display_name, u.username, u.avatar_url, u.roles, u.active, u.updated_at, u.last_synced_at
         FROM auth_users u JOIN auth_identities i ON i.user_id = u.id WHERE i.issuer = $1`,
      [ISSUER],
    );
    return new Map(rows.map((row) => [row.subject, row]));
  }

  async runs(): Promise<SyncRunRow[]> {
    return this.dataSource
      .query(`SELECT id::text AS id, source, outcome, started_at, finished_at, fetched, created, updated, deactivated, unchanged, deactivation_skipped,
              matched, skipped, deactivation_candidates, deactivation_limit, deactivation_held, error FROM auth_sync_runs ORDER BY id`);
  }

  async count(table: 'auth_users' | 'auth_identities' | 'auth_sync_seen'): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
    return row.n;
  }
}
