import { CronTime } from 'cron';
import { AuthConfigError } from '../errors/auth-error.js';
import type { TrustedProxies } from '../rate-limit/client-address.js';
import { wholeNumberOption } from '../options/whole-number-option.js';

/** The audit log (`AuthModuleOptions.audit`). */
export interface AuthAuditOptions {
  /** Record events at all. Default true. */
  enabled?: boolean;
  /** Entries older than this many days are deleted by the daily purge. Default 90 (1..3650). */
  retentionDays?: number;
  /** When the purge runs: a cron expression (5 or 6 fields) or `off`. Default `30 4 * * *`. */
  purgeCron?: string;
  /** Time zone of `purgeCron`. Default `UTC`. */
  purgeTimeZone?: string;
  /** Queued entries are written at least this often, in ms. Default 1000 (10..60000). */
  flushIntervalMs?: number;
  /** Entries per INSERT; a full batch is written at once. Default 100 (1..1000). */
  batchSize?: number;
  /**
   * Entries waiting at most (while the database is slow or down); more are dropped and counted
   * (`AuditLogService.stats().dropped`). Default 10000 (1..1000000).
   */
  maxQueue?: number;
}

/** `audit` resolved at boot. */
export interface AuditSettings {
  enabled: boolean;
  retentionDays: number;
  purgeCron: string;
  purgeTimeZone: string;
  flushIntervalMs: number;
  batchSize: number;
  maxQueue: number;
  /** Whose `X-Forwarded-For` is believed for `ip` (the rate limit's list); undefined: none. */
  trustedProxies: TrustedProxies | undefined;
}

/** Validates `audit` once, at boot; a bad value names its key. */
export function resolveAuditOptions(options: AuthAuditOptions | undefined, trustedProxies?: TrustedProxies): AuditSettings {
  const audit = options ?? {};
  if (typeof audit !== 'object' || audit === null)
    throw new AuthConfigError('audit', 'must be an object', 'Pass { retentionDays, … } or leave it out.');
  if (audit.enabled !== undefined && typeof audit.enabled !== 'boolean')
    throw new AuthConfigError('audit.enabled', `is ${String(audit.enabled)}`, 'Use true or false.');
  const purgeCron = resolveCron(audit.purgeCron);
  const purgeTimeZone = audit.purgeTimeZone ?? 'UTC';
  try {
    new CronTime(purgeCron === 'off' ? '30 4 * * *' : purgeCron, purgeTimeZone);
  } catch {
    throw new AuthConfigError(
      'audit.purgeTimeZone',
      `"${String(purgeTimeZone)}" is not a known time zone`,
      'Use an IANA zone such as "UTC" or "Europe/Berlin".',
    );
  }
  return {
    enabled: audit.enabled ?? true,
    retentionDays: wholeNumberOption(audit.retentionDays, 90, 1, 3650, 'audit.retentionDays'),
    purgeCron,
    purgeTimeZone,
    flushIntervalMs: wholeNumberOption(audit.flushIntervalMs, 1000, 10, 60_000, 'audit.flushIntervalMs'),
    batchSize: wholeNumberOption(audit.batchSize, 100, 1, 1000, 'audit.batchSize'),
    maxQueue: wholeNumberOption(audit.maxQueue, 10_000, 1, 1_000_000, 'audit.maxQueue'),
    trustedProxies,
  };
}

function resolveCron(value: unknown): string {
  if (value === undefined) return '30 4 * * *';
  const fix = 'Use a cron expression such as "30 4 * * *" (5 fields, or 6 with seconds first), or "off".';
  if (typeof value !== 'string') throw new AuthConfigError('audit.purgeCron', `must be a string, got ${typeof value}`, fix);
  const cron = value.trim().replace(/\s+/g, ' ');
  if (cron.toLowerCase() === 'off') return 'off';
  const fields = cron.split(' ').length;
  if (fields < 5 || fields > 6) throw new AuthConfigError('audit.purgeCron', `"${value}" has ${fields} fields`, fix);
  try {
    new CronTime(cron);
  } catch (error) {
    throw new AuthConfigError('audit.purgeCron', `"${value}" is not a valid cron expression (${(error as Error).message})`, fix);
  }
  return cron;
}
