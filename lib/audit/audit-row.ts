import type { DataSource } from 'typeorm';
import type { HttpRequest } from '../http/http-types.js';
import type { TrustedProxies } from '../rate-limit/client-address.js';
import type { AuditEntry, AuditOutcome, AuditRecord } from './audit-event.js';

/** One row as it is inserted, already cleaned: a stored record before its id, details as JSON text. */
export interface AuditRow extends Omit<AuditRecord, 'id' | 'details'> {
  details: string | null;
}

const EVENT_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DETAILS_CHARS = 4096;
const COLUMNS = 9;

/**
 * An entry made safe to insert: one bad value must not fail its whole batch, so text is cut to
 * size and cleared of NUL (which PostgreSQL text and jsonb refuse), a user id that is not a UUID
 * becomes null, oversized details are replaced by a marker. Null for a malformed event name.
 */
export function auditRowFromEntry(entry: AuditEntry): AuditRow | null {
  if (typeof entry.event !== 'string' || !EVENT_NAME.test(entry.event)) return null;
  const details = entry.details
    ? JSON.stringify(entry.details, (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\0', '') : value))
    : null;
  return {
    at: entry.at instanceof Date && !Number.isNaN(entry.at.getTime()) ? entry.at : new Date(),
    event: entry.event,
    outcome: entry.outcome === 'failure' ? 'failure' : 'success',
    code: text(entry.code, 100),
    userId: typeof entry.userId === 'string' && UUID.test(entry.userId) ? entry.userId : null,
    provider: text(entry.provider, 200),
    ip: text(entry.ip, 100),
    userAgent: text(entry.userAgent, 512),
    details: details && details.length > MAX_DETAILS_CHARS ? JSON.stringify({ truncated: true }) : details,
  };
}

/** The client address (the rate limit's reading of `X-Forwarded-For`) and user agent of a request. */
export function clientOf(
  request: HttpRequest,
  trustedProxies: TrustedProxies | undefined,
): { ip: string | null; userAgent: string | null } {
  const peer = (request as { socket?: { remoteAddress?: string } }).socket?.remoteAddress ?? request.ip;
  const ip = trustedProxies && peer ? trustedProxies.clientAddress(peer, request.headers['x-forwarded-for']) : (peer ?? null);
  const userAgent = request.headers['user-agent'];
  return { ip, userAgent: typeof userAgent === 'string' ? userAgent : null };
}

/** One multi-row INSERT for the whole batch. */
export async function insertAuditRows(dataSource: DataSource, rows: AuditRow[]): Promise<void> {
  const params: unknown[] = [];
  const values = rows.map((row, i) => {
    params.push(row.at, row.event, row.outcome, row.code, row.userId, row.provider, row.ip, row.userAgent, row.details);
    const n = i * COLUMNS;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}::uuid, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}::jsonb)`;
  });
  await dataSource.query(
    `INSERT INTO auth_audit_log (at, event, outcome, code, user_id, provider, ip, user_agent, details) VALUES ${values.join(', ')}`,
    params,
  );
}

export function recordFromRow(row: Record<string, unknown>): AuditRecord {
  return {
    id: String(row.id),
    at: new Date(row.at as string | Date),
    event: row.event as string,
    outcome: row.outcome as AuditOutcome,
    code: (row.code as string | null) ?? null,
    userId: (row.user_id as string | null) ?? null,
    provider: (row.provider as string | null) ?? null,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    details: (row.details as Record<string, unknown> | null) ?? null,
  };
}

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.replaceAll('\0', '').slice(0, max);
}
