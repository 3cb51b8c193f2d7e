import { DirectoryHttpClient } from './directory-http.js';
import { asArray, asRecord, joinNames, readPath, strings, text, toDirectoryUser } from './directory-fields.js';
import type { DirectoryListOptions, DirectoryPage, DirectorySource, DirectoryUser } from './directory-source.interface.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';

export type ScimSourceSettings = Pick<ResolvedUserSyncOptions, 'url' | 'token' | 'subjectField' | 'pageSize'>;

/**
 * SCIM 2.0 (RFC 7644): `GET {base}/Users?startIndex=&count=` (1-based) with a bearer token,
 * advancing by the number of `Resources` returned, since servers may return fewer than `count`.
 */
export class ScimDirectorySource implements DirectorySource {
  readonly name = 'scim';

  constructor(
    private readonly settings: ScimSourceSettings,
    private readonly http: DirectoryHttpClient,
  ) {}

  async *listUsers(options: DirectoryListOptions = {}): AsyncIterable<DirectoryPage> {
    const endpoint = new URL('Users', `${this.settings.url}/`);
    let startIndex = 1;
    for (;;) {
      const url = new URL(endpoint);
      url.searchParams.set('startIndex', String(startIndex));
      url.searchParams.set('count', String(this.settings.pageSize));
      const body = asRecord(
        await this.http.json(url, {
          headers: { authorization: `Bearer ${this.settings.token}`, accept: 'application/scim+json, application/json' },
          signal: options.signal,
        }),
        'SCIM ListResponse',
      );
      const total = typeof body.totalResults === 'number' ? body.totalResults : undefined;
      const resources = body.Resources === undefined ? [] : asArray(body.Resources, 'SCIM "Resources"');
      yield { users: resources.map((raw) => mapScimUser(raw, this.settings.subjectField)), total };
      startIndex += resources.length;
      if (resources.length === 0 || (total !== undefined && startIndex > total)) return;
    }
  }
}

/** One SCIM User: `displayName`, else `name.formatted`, else given + family name. */
export function mapScimUser(raw: unknown, subjectField: string): DirectoryUser {
  const user = asRecord(raw, 'SCIM user');
  const name = user.name && typeof user.name === 'object' ? (user.name as Record<string, unknown>) : {};
  return toDirectoryUser('SCIM', subjectField, {
    subject: readPath(user, subjectField),
    username: user.userName,
    fullName: text(user.displayName, 255) ?? text(name.formatted, 255) ?? joinNames(name.givenName, name.familyName),
    email: preferred(user.emails),
    avatar: preferred(user.photos),
    active: user.active !== false,
    roles: [...multiValued(user.roles, 'value'), ...multiValued(user.groups, 'display')],
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
