import { DirectoryHttpClient } from './directory-http.js';
import { asArray, asRecord, joinNames, readPath, strings, text, toDirectoryUser } from './directory-fields.js';
import type { DirectoryListOptions, DirectoryPage, DirectorySource, DirectoryUser } from './directory-source.interface.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';
import { describeValue } from '../errors/describe-value.js';

export type ScimSourceSettings = Pick<ResolvedUserSyncOptions, 'url' | 'token' | 'subjectField' | 'pageSize' | 'rolesClaim'>;

const SCIM_ACCEPT = 'application/scim+json, application/json';

/**
 * SCIM 2.0 (RFC 7643/7644) `GET {base}/Users` with a bearer token. When the server's
 * `/ServiceProviderConfig` offers cursor paging (RFC 9865, `pagination.cursor: true`), pages
 * follow `nextCursor`; otherwise index paging (RFC 7644 §3.4.2.4): 1-based `startIndex`,
 * advancing by the number of `Resources` returned, since servers may return fewer than `count`.
 * Servers that ignore `startIndex` (AWS IAM Identity Center does) would hand back page one
 * forever: a page whose echoed `startIndex` is not the one asked for, or that repeats the
 * previous page, fails the pass, so nobody is deactivated on a listing that was never complete.
 */
export class ScimDirectorySource implements DirectorySource {
  readonly name = 'scim';

  constructor(
    private readonly settings: ScimSourceSettings,
    private readonly http: DirectoryHttpClient,
  ) {}

  async *listUsers(options: DirectoryListOptions = {}): AsyncIterable<DirectoryPage> {
    if (await this.offersCursor(options.signal)) yield* this.byCursor(options.signal);
    else yield* this.byIndex(options.signal);
  }

  private async *byIndex(signal: AbortSignal | undefined): AsyncIterable<DirectoryPage> {
    let startIndex = 1;
    let previous: string | undefined;
    for (;;) {
      const body = await this.get({ startIndex: String(startIndex), count: String(this.settings.pageSize) }, signal);
      const echoed = body.startIndex;
      if (echoed !== undefined && Number(echoed) !== startIndex) {
        throw brokenPaging(
          `the server answered startIndex=${describeValue(echoed)} when asked for startIndex=${startIndex} (it ignores startIndex)`,
        );
      }
      const resources = body.Resources === undefined ? [] : asArray(body.Resources, 'SCIM "Resources"');
      const users = resources.map((raw) => mapScimUser(raw, this.settings.subjectField, this.settings.rolesClaim));
      const fingerprint = users.map((u) => u.subject).join('\n');
      if (users.length > 0 && fingerprint === previous) {
        throw brokenPaging(`the page at startIndex=${startIndex} repeats the previous page (the server ignores startIndex)`);
      }
      previous = fingerprint;
      const total = typeof body.totalResults === 'number' ? body.totalResults : undefined;
      yield { users, total };
      startIndex += resources.length;
      if (resources.length === 0 || (total !== undefined && startIndex > total)) return;
    }
  }

  private async *byCursor(signal: AbortSignal | undefined): AsyncIterable<DirectoryPage> {
    const seen = new Set<string>();
    let cursor = '';
    for (;;) {
      const body = await this.get({ cursor, count: String(this.settings.pageSize) }, signal);
      const resources = body.Resources === undefined ? [] : asArray(body.Resources, 'SCIM "Resources"');
      const total = typeof body.totalResults === 'number' ? body.totalResults : undefined;
      yield { users: resources.map((raw) => mapScimUser(raw, this.settings.subjectField, this.settings.rolesClaim)), total };
      const next = typeof body.nextCursor === 'string' && body.nextCursor !== '' ? body.nextCursor : undefined;
      if (next === undefined) return;
      if (seen.has(next)) throw brokenPaging(`the server handed out cursor "${next.slice(0, 40)}" twice`);
      seen.add(next);
      cursor = next;
    }
  }

  /** RFC 9865 §5: `pagination.cursor` in the ServiceProviderConfig. No config, or none readable: index paging. */
  private async offersCursor(signal: AbortSignal | undefined): Promise<boolean> {
    try {
      const config = asRecord(
        await this.http.json(new URL('ServiceProviderConfig', `${this.settings.url}/`), { headers: this.headers(), signal }),
        'SCIM ServiceProviderConfig',
      );
      const pagination = config.pagination;
      return pagination !== null && typeof pagination === 'object' && (pagination as Record<string, unknown>).cursor === true;
    } catch (error) {
      if (error instanceof UserSyncError && error.code === 'SYNC_SOURCE_BAD_RESPONSE') return false;
      throw error;
    }
  }

  private async get(query: Record<string, string>, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    const url = new URL('Users', `${this.settings.url}/`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return asRecord(await this.http.json(url, { headers: this.headers(), signal }), 'SCIM ListResponse');
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.settings.token}`, accept: SCIM_ACCEPT };
  }
}

function brokenPaging(what: string): UserSyncError {
  return new UserSyncError(
    'SYNC_SOURCE_BAD_RESPONSE',
    `SCIM paging is broken: ${what}; the listing cannot be complete, so the pass stops and deactivates nobody`,
  );
}

/**
 * One SCIM User: `displayName`, else `name.formatted`, else given + family name. Roles are
 * written only when they are what the login reads: `roles[].value` for a `roles` claim,
 * `groups[].display` for a `groups` claim; otherwise null (stored roles kept).
 */
export function mapScimUser(raw: unknown, subjectField: string, rolesClaim = 'roles'): DirectoryUser {
  const user = asRecord(raw, 'SCIM user');
  const name = user.name && typeof user.name === 'object' ? (user.name as Record<string, unknown>) : {};
  return toDirectoryUser('SCIM', subjectField, {
    subject: readPath(user, subjectField),
    username: user.userName,
    fullName: text(user.displayName, 255) ?? text(name.formatted, 255) ?? joinNames(name.givenName, name.familyName),
    email: preferred(user.emails),
    avatar: preferred(user.photos),
    active: user.active !== false,
    roles: rolesClaim === 'roles' ? multiValued(user.roles, 'value') : rolesClaim === 'groups' ? multiValued(user.groups, 'display') : null,
  });
}

/** The `primary` entry of a multi-valued attribute, else the first. */
function preferred(values: unknown): unknown {
  if (!Array.isArray(values)) return undefined;
  const entries = values.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object');
  return (entries.find((v) => v.primary === true) ?? entries[0])?.value;
}

function multiValued(values: unknown, key: string): string[] {
  if (!Array.isArray(values)) return [];
  return strings(values.map((v) => readPath(v, key) ?? readPath(v, 'value')));
}
