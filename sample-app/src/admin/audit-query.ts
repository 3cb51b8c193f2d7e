import { BadRequestException } from '@nestjs/common';
import type { AuditQuery } from '@nestflux/auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT = /^[a-z][a-z0-9_.:-]{0,63}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The raw query string of `GET /api/audit` (and the admin page's audit filter). */
export interface AuditQueryParams {
  userId?: unknown;
  event?: unknown;
  since?: unknown;
  limit?: unknown;
}

/** Validates the filters; a bad one is a 400 naming the parameter (never a database error). */
export function parseAuditQuery(params: AuditQueryParams, defaultLimit = 100): AuditQuery {
  const userId = single(params.userId, 'userId');
  const event = single(params.event, 'event');
  const since = single(params.since, 'since');
  const limit = single(params.limit, 'limit');
  const query: AuditQuery = { limit: defaultLimit };
  if (userId !== undefined) {
    if (!UUID.test(userId)) throw bad('"userId" must be a user id (a UUID)');
    query.userId = userId;
  }
  if (event !== undefined) {
    if (!EVENT.test(event)) throw bad('"event" must be an event name such as login or logout');
    query.event = event;
  }
  if (since !== undefined) {
    const at = ISO_DATE.test(since) ? new Date(since) : undefined;
    if (!at || Number.isNaN(at.getTime())) throw bad('"since" must be an ISO 8601 date, e.g. 2026-11-30 or 2026-11-30T12:00:00Z');
    query.since = at;
  }
  if (limit !== undefined) {
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 500) throw bad('"limit" must be a whole number from 1 to 500');
    query.limit = Number(limit);
  }
  return query;
}

/** One value per parameter: `?limit=1&limit=2` (an array) or an empty value is refused, not guessed at. */
function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`"${name}" must be given once`);
  if (value === '') return undefined;
  return value;
}

function bad(message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message });
}
