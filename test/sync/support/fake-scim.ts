import type { IncomingMessage } from 'node:http';
import { FakeDirectoryServer, type FakePerson, type FakeResponse, intParam } from './fake-directory-server.js';

/** RFC 7644 §3.4.2 ListResponse, with RFC 9865's cursor attributes. */
interface ScimListResponse {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'];
  totalResults?: number;
  startIndex?: number;
  itemsPerPage: number;
  nextCursor?: string;
  previousCursor?: string;
  Resources: ScimUser[];
}

/** RFC 7643 §4.1 User (the attributes the sync reads, and a few it does not). */
interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: { formatted?: string; givenName?: string; familyName?: string };
  displayName?: string;
  emails?: Array<{ value: string; type?: string; primary?: boolean }>;
  photos?: Array<{ value: string; type?: string }>;
  active: boolean;
  groups?: Array<{ value: string; display?: string; $ref?: string }>;
  roles?: Array<{ value: string; display?: string; primary?: boolean }>;
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string };
}

/** RFC 7644 §3.12 error. */
interface ScimError {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'];
  status: string;
  scimType?: string;
  detail?: string;
}

/**
 * How the server pages: `index` (RFC 7644 §3.4.2.4: 1-based `startIndex`, `count` capped),
 * `ignores-start-index` (AWS IAM Identity Center: every request answers the first page and
 * echoes `startIndex: 1`), `cursor` (RFC 9865: `cursor`/`nextCursor`, offered in the
 * ServiceProviderConfig's `pagination`).
 */
export type ScimPaging = 'index' | 'ignores-start-index' | 'cursor';

/**
 * A SCIM 2.0 service provider's `/Users` and `/ServiceProviderConfig`: `count` capped at
 * `maxPageSize`, `application/scim+json`, 401 with a SCIM error for a bad bearer token, and an
 * invalid cursor answered `400 scimType invalidCursor`.
 */
export class FakeScim extends FakeDirectoryServer {
  maxPageSize = 50;
  paging: ScimPaging = 'index';
  /** false: list responses carry no `startIndex` (it is REQUIRED, but not every server sends it). */
  echoStartIndex = true;
  /** false: `/ServiceProviderConfig` answers 404 (some servers have none). */
  serviceProviderConfig = true;
  /** SCIM `roles[].value` by person id; none by default. */
  readonly personRoles = new Map<string, string[]>();
  private readonly cursors = new Map<string, number>();

  constructor(readonly token = 'scim-bearer-token') {
    super();
    this.contentType = 'application/scim+json';
  }

  protected baseUrl(origin: string): string {
    return `${origin}/scim/v2`;
  }

  protected handle(req: IncomingMessage, url: URL): FakeResponse {
    if (url.pathname === '/scim/v2/ServiceProviderConfig') return this.config();
    if (url.pathname !== '/scim/v2/Users') return { status: 404, body: scimError(404, 'Resource not found') };
    if (this.bearer(req) !== this.token) return { status: 401, body: scimError(401, 'Authorization failure') };
    const count = Math.min(Math.max(intParam(url, 'count', this.maxPageSize), 0), this.maxPageSize);
    if (this.paging === 'cursor' && url.searchParams.has('cursor')) return this.byCursor(url.searchParams.get('cursor') ?? '', count);
    const asked = Math.max(intParam(url, 'startIndex', 1), 1);
    const startIndex = this.paging === 'ignores-start-index' ? 1 : asked;
    const resources = this.people.slice(startIndex - 1, startIndex - 1 + count).map((p) => this.user(p));
    const list: ScimListResponse = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: this.people.length,
      itemsPerPage: resources.length,
      Resources: resources,
    };
    if (this.echoStartIndex) list.startIndex = startIndex;
    return { status: 200, body: list };
  }

  private byCursor(cursor: string, count: number): FakeResponse {
    const offset = cursor === '' ? 0 : this.cursors.get(cursor);
    if (offset === undefined) return { status: 400, body: scimError(400, 'The cursor is not valid', 'invalidCursor') };
    const resources = this.people.slice(offset, offset + count).map((p) => this.user(p));
    const list: ScimListResponse = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: this.people.length,
      itemsPerPage: resources.length,
      Resources: resources,
    };
    if (offset + count < this.people.length) {
      const next = `c${this.cursors.size + 1}-${Buffer.from(String(offset + count)).toString('base64url')}`;
      this.cursors.set(next, offset + count);
      list.nextCursor = next;
    }
    return { status: 200, body: list };
  }

  private config(): FakeResponse {
    if (!this.serviceProviderConfig) return { status: 404, body: scimError(404, 'Resource not found') };
    return {
      status: 200,
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
        filter: { supported: true, maxResults: this.maxPageSize },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: false },
        authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Bearer token' }],
        ...(this.paging === 'cursor'
          ? {
              pagination: {
                cursor: true,
                index: false,
                defaultPaginationMethod: 'cursor',
                defaultPageSize: this.maxPageSize,
                maxPageSize: this.maxPageSize,
                cursorTimeout: 3600,
              },
            }
          : {}),
      },
    };
  }

  private user(p: FakePerson): ScimUser {
    return scimUser(p, this.url, this.personRoles.get(p.id));
  }
}

/** Even pks carry `displayName`; odd ones only `name`, to cover both fallbacks. */
export function scimUser(p: FakePerson, base: string, roles?: string[]): ScimUser {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: p.id,
    externalId: `ext-${p.pk}`,
    userName: p.username,
    name:
      p.pk % 2 === 0
        ? { formatted: `${p.firstName} ${p.lastName}`, givenName: p.firstName, familyName: p.lastName }
        : { givenName: p.firstName, familyName: p.lastName },
    ...(p.pk % 2 === 0 ? { displayName: `${p.firstName} ${p.lastName}` } : {}),
    emails: p.email ? [{ value: p.email, type: 'work', primary: true }] : [],
    ...(p.avatar ? { photos: [{ value: p.avatar, type: 'photo' }] } : {}),
    active: p.active,
    groups: p.groups.map((display, i) => ({ value: `g${i}`, display, $ref: `${base}/Groups/g${i}` })),
    ...(roles ? { roles: roles.map((value) => ({ value })) } : {}),
    meta: {
      resourceType: 'User',
      created: '2026-01-05T10:00:00Z',
      lastModified: '2026-01-05T10:00:00Z',
      location: `${base}/Users/${p.id}`,
    },
  };
}

function scimError(status: number, detail: string, scimType?: string): ScimError {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail, ...(scimType ? { scimType } : {}) };
}
