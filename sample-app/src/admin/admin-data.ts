import { BadRequestException } from '@nestjs/common';
import type { DataSource } from 'typeorm';

export type UserStatus = 'all' | 'active' | 'inactive';

export interface UserFilter {
  /** Part of an email, display name or user name; empty: everyone. */
  search: string;
  status: UserStatus;
}

export interface AdminUserRow {
  id: string;
  email: string | null;
  displayName: string | null;
  username: string | null;
  active: boolean;
  roles: string[];
  lastLoginAt: Date | null;
  lastSyncedAt: Date | null;
}

export interface AdminSyncRunRow {
  id: string;
  source: string;
  outcome: string;
  startedAt: Date;
  finishedAt: Date | null;
  fetched: number;
  created: number;
  updated: number;
  deactivated: number;
  unchanged: number;
  matched: number;
  skipped: number;
  deactivationHeld: string | null;
  error: string | null;
}

const PAGE_USERS = 50;
const PAGE_RUNS = 10;

/** `?q=…&status=…` of the admin page, validated (a 400 names the parameter). */
export function parseUserFilter(params: { q?: unknown; status?: unknown }): UserFilter {
  const q = params.q ?? '';
  const status = params.status ?? 'all';
  if (typeof q !== 'string' || q.length > 200)
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: '"q" must be one text of at most 200 characters' });
  if (status !== 'all' && status !== 'active' && status !== 'inactive') {
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: '"status" must be all, active or inactive' });
  }
  return { search: q.trim(), status };
}

/** The users matching the filter (at most 50, most recent login first) and how many match in all. */
export async function findUsers(db: DataSource, filter: UserFilter): Promise<{ rows: AdminUserRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.search) {
    // The search text is a literal: LIKE's own wildcards in it match themselves.
    const n = params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(email ILIKE $${n} OR display_name ILIKE $${n} OR username ILIKE $${n})`);
  }
  if (filter.status !== 'all') where.push(`active = $${params.push(filter.status === 'active')}`);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [rows, count] = await Promise.all([
    db.query<Array<Record<string, unknown>>>(
      `SELECT id, email, display_name, username, active, roles, last_login_at, last_synced_at FROM auth_users ${clause}
       ORDER BY last_login_at DESC NULLS LAST, created_at DESC LIMIT ${PAGE_USERS}`,
      params,
    ),
    db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM auth_users ${clause}`, params),
  ]);
  return {
    total: count[0]?.n ?? 0,
    rows: rows.map((r) => ({
      id: r.id as string,
      email: r.email as string | null,
      displayName: r.display_name as string | null,
      username: r.username as string | null,
      active: r.active as boolean,
      roles: Array.isArray(r.roles) ? (r.roles as unknown[]).map(String) : [],
      lastLoginAt: (r.last_login_at as Date | null) ?? null,
      lastSyncedAt: (r.last_synced_at as Date | null) ?? null,
    })),
  };
}

/** The latest sync passes, newest first. */
export async function latestSyncRuns(db: DataSource): Promise<AdminSyncRunRow[]> {
  const rows: Array<Record<string, unknown>> = await db.query(
    `SELECT id, source, outcome, started_at, finished_at, fetched, created, updated, deactivated, unchanged, matched, skipped,
            deactivation_held, error
       FROM auth_sync_runs ORDER BY started_at DESC, id DESC LIMIT ${PAGE_RUNS}`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    source: r.source as string,
    outcome: r.outcome as string,
    startedAt: r.started_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
    fetched: Number(r.fetched),
    created: Number(r.created),
    updated: Number(r.updated),
    deactivated: Number(r.deactivated),
    unchanged: Number(r.unchanged),
    matched: Number(r.matched),
    skipped: Number(r.skipped),
    deactivationHeld: (r.deactivation_held as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  }));
}
