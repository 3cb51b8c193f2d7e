import { CronTime } from 'cron';
import { AuthConfigError } from '../errors/auth-error.js';
import type { DirectorySource } from './directory-source.interface.js';
import { wholeNumberOption } from '../options/whole-number-option.js';

/** Which directory API the sync reads. */
export type DirectorySourceKind = 'authentik' | 'keycloak' | 'scim' | 'none';

/** The scheduled user-metadata sync (see README "User sync"). */
export interface UserSyncOptions {
  /** Cron expression (5 or 6 fields) or `off`. Default `0 3 * * *`. */
  cron?: string;
  /** IANA time zone of the schedule. Default `UTC`. */
  timeZone?: string;
  /** The directory API. Default `none` (no sync). */
  source?: DirectorySourceKind;
  /** Authentik origin, Keycloak realm URL (or its Admin API URL `…/admin/realms/{realm}`), or SCIM base URL. */
  url?: string;
  /** Authentik API token or SCIM bearer token. */
  token?: string;
  /** Keycloak service-account client id. */
  clientId?: string;
  /** Keycloak service-account client secret. */
  clientSecret?: string;
  /** Source field equal to the OIDC `sub`. Default `uid` (Authentik), `id` (Keycloak, SCIM). */
  subjectField?: string;
  /** Create local users for provider users who never signed in. Default false. */
  importUsers?: boolean;
  /** Deactivate local users a complete listing lacks or shows disabled. Default true. */
  deactivateMissing?: boolean;
  /**
   * The most users one pass may deactivate: a count (`500`) or a share of the issuer's active
   * local users (`'10%'`, rounded down, at least 1). A pass that would deactivate more
   * deactivates nobody and reports it (`SyncRunSummary.deactivationHeld`). Default `'10%'`.
   */
  deactivateLimit?: number | string;
  /**
   * The claim the login reads roles from (AuthModule passes its `rolesClaim`). The sync writes
   * roles only when the source lists that same thing (Authentik `groups`, SCIM `roles` or
   * `groups`, Keycloak `realm_access.roles` with `syncRoles`); otherwise stored roles are kept.
   * Default `roles`.
   */
  rolesClaim?: string;
  /**
   * Keycloak: read each user's effective realm roles (one request per user, `rolesConcurrency`
   * at a time). Needs `rolesClaim: 'realm_access.roles'`. Default false.
   */
  syncRoles?: boolean;
  /** Keycloak role-mapping requests in flight at once with `syncRoles`. Default 8. */
  rolesConcurrency?: number;
  /** Pages requested ahead of the one being written (Authentik, Keycloak); 1 = one at a time. Default 4. */
  prefetchPages?: number;
  /** A directory source of the host's own; replaces `source`, `url` and the credentials. Default: none. */
  directorySource?: DirectorySource;
  /** Issuer whose `(issuer, subject)` identities the sync matches. Default: the module's `issuerUrl`. */
  issuer?: string;
  /** Users asked for per page (the server may cap it lower). Default 100. */
  pageSize?: number;
  /** Users written per database statement. Default 1000. */
  batchSize?: number;
  /** Timeout of each HTTP request to the directory, in ms. Default 30000. */
  requestTimeoutMs?: number;
  /** Retries of a request after 429, 5xx or a network error. Default 4. */
  retries?: number;
  /** First retry delay in ms, doubled on each retry (a `Retry-After` header wins). Default 500. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry, `Retry-After` included, in ms. Default 60000. */
  maxRetryDelayMs?: number;
  /** A pass whose heartbeat is older than this is taken over by another replica, in s. Default 120. */
  leaseSeconds?: number;
  /** Accept a plain-http `url` on a non-loopback host. Default false. */
  allowInsecureUrl?: boolean;
}

/** `sync.deactivateLimit` parsed: a count, or a percentage of the active local users. */
export type DeactivateLimit = { count: number; percent?: undefined; text: string } | { percent: number; count?: undefined; text: string };

/** The sync options after validation, with every default applied. */
export interface ResolvedUserSyncOptions {
  /** The cron expression, or `off`. */
  cron: string;
  timeZone: string;
  /** `custom` when the host passed `directorySource`. */
  source: DirectorySourceKind | 'custom';
  url: string | undefined;
  token: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  subjectField: string;
  importUsers: boolean;
  deactivateMissing: boolean;
  deactivateLimit: DeactivateLimit;
  rolesClaim: string;
  syncRoles: boolean;
  rolesConcurrency: number;
  prefetchPages: number;
  directorySource: DirectorySource | undefined;
  issuer: string | undefined;
  pageSize: number;
  batchSize: number;
  requestTimeoutMs: number;
  retries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  leaseSeconds: number;
  /** True when a source is configured (`runOnce()` works). */
  enabled: boolean;
  /** True when enabled and `cron` is not `off`: the scheduler registers the job. */
  scheduled: boolean;
}

const SOURCES: readonly DirectorySourceKind[] = ['authentik', 'keycloak', 'scim', 'none'];
const DEFAULT_SUBJECT_FIELD: Record<DirectorySourceKind, string> = { authentik: 'uid', keycloak: 'id', scim: 'id', none: 'id' };
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Validates the sync options once, at boot, and applies the defaults. Every problem throws an
 * `AuthConfigError` naming the key (`sync.cron`, `sync.url`, …) and the fix.
 */
export function resolveUserSyncOptions(options: UserSyncOptions | undefined): ResolvedUserSyncOptions {
  const o = options ?? {};
  const directorySource = o.directorySource;
  if (directorySource !== undefined && typeof directorySource?.listUsers !== 'function') {
    throw new AuthConfigError(
      'sync.directorySource',
      'has no listUsers() method',
      'Pass an object implementing the DirectorySource interface.',
    );
  }
  const kind = o.source ?? 'none';
  if (!SOURCES.includes(kind)) {
    throw new AuthConfigError('sync.source', `is "${String(kind)}"`, `Use one of ${SOURCES.join(', ')}.`);
  }
  const source = directorySource ? 'custom' : kind;
  const cron = resolveCron(o.cron);
  const timeZone = resolveTimeZone(o.timeZone, cron);
  const url =
    source === 'authentik' || source === 'keycloak' || source === 'scim'
      ? resolveUrl(o.url, source, o.allowInsecureUrl === true)
      : optionalString(o.url, 'sync.url');
  const token = optionalString(o.token, 'sync.token');
  const clientId = optionalString(o.clientId, 'sync.clientId');
  const clientSecret = optionalString(o.clientSecret, 'sync.clientSecret');
  if ((source === 'authentik' || source === 'scim') && !token) {
    const what = source === 'authentik' ? 'an Authentik API token (Directory > Tokens, intent "API")' : 'the SCIM bearer token';
    throw new AuthConfigError('sync.token', 'is missing', `Set it (AUTH_SYNC_TOKEN) to ${what}.`);
  }
  if (source === 'keycloak' && !clientId) {
    throw new AuthConfigError(
      'sync.clientId',
      'is missing',
      'Set it (AUTH_SYNC_CLIENT_ID) to a confidential client with "Service accounts roles" and the realm-management role view-users.',
    );
  }
  if (source === 'keycloak' && !clientSecret) {
    throw new AuthConfigError(
      'sync.clientSecret',
      'is missing',
      'Set it (AUTH_SYNC_CLIENT_SECRET) to the secret of the Keycloak service-account client.',
    );
  }
  const subjectField = o.subjectField ?? DEFAULT_SUBJECT_FIELD[kind];
  if (typeof subjectField !== 'string' || !/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(subjectField)) {
    throw new AuthConfigError(
      'sync.subjectField',
      `is "${String(subjectField)}"`,
      'Use a field name or dot path such as "uid", "id", "username" or "attributes.upn".',
    );
  }
  const rolesClaim = o.rolesClaim ?? 'roles';
  if (typeof rolesClaim !== 'string' || !/^[^.\s]+(\.[^.\s]+)*$/.test(rolesClaim)) {
    throw new AuthConfigError(
      'sync.rolesClaim',
      `is "${String(rolesClaim)}"`,
      'Use the dot path the login reads roles from, e.g. "roles", "groups" or "realm_access.roles".',
    );
  }
  const syncRoles = flag(o.syncRoles, false, 'sync.syncRoles');
  if (syncRoles && source !== 'keycloak') {
    throw new AuthConfigError(
      'sync.syncRoles',
      `is true for source "${source}"`,
      'Only the Keycloak source reads role mappings; Authentik and SCIM list groups and roles with each user. Unset it (AUTH_SYNC_ROLES).',
    );
  }
  if (syncRoles && rolesClaim !== 'realm_access.roles') {
    throw new AuthConfigError(
      'sync.syncRoles',
      `is true but the roles claim is "${rolesClaim}"`,
      'Keycloak role sync writes realm roles, which the login reads only from "realm_access.roles": set rolesClaim (OIDC_ROLES_CLAIM) to realm_access.roles, or unset AUTH_SYNC_ROLES so the stored roles are kept.',
    );
  }
  const enabled = source !== 'none';
  const issuer = optionalString(o.issuer, 'sync.issuer');
  if (enabled && !issuer) {
    throw new AuthConfigError(
      'sync.issuer',
      'is missing',
      'Set it to the OIDC issuer whose identities the sync updates (AuthModule passes its issuerUrl).',
    );
  }
  return {
    cron,
    timeZone,
    source,
    url,
    token,
    clientId,
    clientSecret,
    subjectField,
    importUsers: flag(o.importUsers, false, 'sync.importUsers'),
    deactivateMissing: flag(o.deactivateMissing, true, 'sync.deactivateMissing'),
    deactivateLimit: resolveDeactivateLimit(o.deactivateLimit),
    rolesClaim,
    syncRoles,
    rolesConcurrency: wholeNumberOption(o.rolesConcurrency, 8, 1, 64, 'sync.rolesConcurrency'),
    prefetchPages: wholeNumberOption(o.prefetchPages, 4, 1, 16, 'sync.prefetchPages'),
    directorySource,
    issuer,
    pageSize: wholeNumberOption(o.pageSize, 100, 1, 1000, 'sync.pageSize'),
    batchSize: wholeNumberOption(o.batchSize, 1000, 1, 10_000, 'sync.batchSize'),
    requestTimeoutMs: wholeNumberOption(o.requestTimeoutMs, 30_000, 100, 600_000, 'sync.requestTimeoutMs'),
    retries: wholeNumberOption(o.retries, 4, 0, 10, 'sync.retries'),
    retryBaseDelayMs: wholeNumberOption(o.retryBaseDelayMs, 500, 0, 60_000, 'sync.retryBaseDelayMs'),
    maxRetryDelayMs: wholeNumberOption(o.maxRetryDelayMs, 60_000, 0, 600_000, 'sync.maxRetryDelayMs'),
    leaseSeconds: wholeNumberOption(o.leaseSeconds, 120, 10, 86_400, 'sync.leaseSeconds'),
    enabled,
    scheduled: enabled && cron !== 'off',
  };
}

function resolveDeactivateLimit(value: unknown): DeactivateLimit {
  const fix = 'Use a count such as 500 or a share such as "10%" (AUTH_SYNC_DEACTIVATE_LIMIT).';
  if (value === undefined || value === null || value === '') return { percent: 10, text: '10%' };
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new AuthConfigError('sync.deactivateLimit', `is ${value}`, fix);
    return { count: value, text: String(value) };
  }
  if (typeof value !== 'string')
    throw new AuthConfigError('sync.deactivateLimit', `must be a number or a string, got ${typeof value}`, fix);
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (!match || (match[2] === '' && match[1].includes('.'))) throw new AuthConfigError('sync.deactivateLimit', `is "${value}"`, fix);
  const n = Number(match[1]);
  if (match[2] === '%') {
    if (n > 100) throw new AuthConfigError('sync.deactivateLimit', `is "${value}"`, 'A share is at most 100%.');
    return { percent: n, text: `${match[1]}%` };
  }
  return { count: n, text: match[1] };
}

function resolveCron(value: unknown): string {
  if (value === undefined || value === null || value === '') return '0 3 * * *';
  if (typeof value !== 'string')
    throw new AuthConfigError('sync.cron', `must be a string, got ${typeof value}`, 'Use a cron expression such as "0 3 * * *", or "off".');
  const cron = value.trim().replace(/\s+/g, ' ');
  if (cron.toLowerCase() === 'off') return 'off';
  const fields = cron.split(' ').length;
  const problem = cron.startsWith('@') ? undefined : fields < 5 || fields > 6 ? `has ${fields} fields` : undefined;
  let error: string | undefined = problem;
  if (!error) {
    try {
      new CronTime(cron);
    } catch (cause) {
      error = `is not a valid cron expression (${(cause as Error).message})`;
    }
  }
  if (error) {
    throw new AuthConfigError(
      'sync.cron',
      `"${value}" ${error}`,
      'Use 5 fields (minute hour day month weekday, e.g. "0 3 * * *"), 6 with seconds first, or "off".',
    );
  }
  return cron;
}

function resolveTimeZone(value: unknown, cron: string): string {
  if (value === undefined || value === null || value === '') return 'UTC';
  if (typeof value !== 'string')
    throw new AuthConfigError(
      'sync.timeZone',
      `must be a string, got ${typeof value}`,
      'Use an IANA zone such as "UTC" or "Europe/Berlin".',
    );
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    new CronTime(cron === 'off' ? '0 3 * * *' : cron, value);
  } catch {
    throw new AuthConfigError(
      'sync.timeZone',
      `"${value}" is not a known time zone`,
      'Use an IANA zone such as "UTC", "Europe/Berlin" or "America/New_York".',
    );
  }
  return value;
}

function resolveUrl(value: unknown, source: 'authentik' | 'keycloak' | 'scim', allowInsecure: boolean): string {
  const example = {
    authentik: 'the Authentik origin, e.g. https://auth.example.com',
    keycloak:
      'the realm URL, e.g. https://kc.example.com/realms/myrealm (its Admin API URL https://kc.example.com/admin/realms/myrealm works too)',
    scim: 'the SCIM base that holds /Users, e.g. https://idp.example.com/scim/v2',
  }[source];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AuthConfigError('sync.url', `is missing (source "${source}")`, `Set it (AUTH_SYNC_URL) to ${example}.`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new AuthConfigError('sync.url', `is not an absolute URL ("${value}")`, `Set it to ${example}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new AuthConfigError('sync.url', `has protocol ${url.protocol}`, 'Use an https: URL.');
  if (url.search || url.hash || url.username || url.password)
    throw new AuthConfigError(
      'sync.url',
      'has a query, fragment or credentials',
      `Set it to ${example}; credentials go in sync.token / sync.clientSecret.`,
    );
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname) && !allowInsecure) {
    throw new AuthConfigError(
      'sync.url',
      `uses plain http on a non-loopback host (${url.host})`,
      'Use https (the API token travels in every request), or set sync.allowInsecureUrl for a network you control.',
    );
  }
  if (source === 'keycloak' && !/^(.*?)\/(?:admin\/)?realms\/[^/]+\/?$/.test(url.pathname)) {
    throw new AuthConfigError('sync.url', `is not a Keycloak realm URL ("${value}")`, `Set it to ${example}.`);
  }
  return url.href.replace(/\/+$/, '');
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new AuthConfigError(key, `must be a string, got ${typeof value}`, 'Pass a string.');
  return value;
}

function flag(value: unknown, fallback: boolean, key: string): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new AuthConfigError(key, `must be a boolean, got ${typeof value}`, 'Pass true or false.');
  return value;
}
