import type { IncomingMessage } from 'node:http';
import { FakeDirectoryServer, type FakePerson, type FakeResponse, intParam } from './fake-directory-server.js';

/**
 * A SCIM 2.0 service provider's `GET /scim/v2/Users` (RFC 7644 §3.4.2.4): 1-based
 * `startIndex`, `count` capped at `maxPageSize`, `application/scim+json`, 401 with a SCIM
 * error for a bad bearer token.
 */
export class FakeScim extends FakeDirectoryServer {
  maxPageSize = 50;

  constructor(readonly token = 'scim-bearer-token') {
    super();
    this.contentType = 'application/scim+json';
  }

  protected baseUrl(origin: string): string {
    return `${origin}/scim/v2`;
  }

  protected handle(req: IncomingMessage, url: URL): FakeResponse {
    if (url.pathname !== '/scim/v2/Users') return { status: 404, body: scimError(404, 'Resource not found') };
    if (this.bearer(req) !== this.token) return { status: 401, body: scimError(401, 'Authorization failure') };
    const startIndex = Math.max(intParam(url, 'startIndex', 1), 1);
    const count = Math.min(Math.max(intParam(url, 'count', this.maxPageSize), 0), this.maxPageSize);
    const resources = this.people.slice(startIndex - 1, startIndex - 1 + count).map((p) => scimUser(p, this.url));
    return {
      status: 200,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: this.people.length,
        startIndex,
        itemsPerPage: resources.length,
        Resources: resources,
      },
    };
  }
}

/** Even pks carry `displayName`; odd ones only `name`, to cover both fallbacks. */
export function scimUser(p: FakePerson, base: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: p.id,
    externalId: `ext-${p.pk}`,
    userName: p.username,
    name: p.pk % 2 === 0 ? { formatted: `${p.firstName} ${p.lastName}`, givenName: p.firstName, familyName: p.lastName } : { givenName: p.firstName, familyName: p.lastName },
    ...(p.pk % 2 === 0 ? { displayName: `${p.firstName} ${p.lastName}` } : {}),
    emails: p.email ? [{ value: p.email, type: 'work', primary: true }] : [],
    ...(p.avatar ? { photos: [{ value: p.avatar, type: 'photo' }] } : {}),
    active: p.active,
    groups: p.groups.map((display, i) => ({ value: `g${i}`, display, $ref: `${base}/Groups/g${i}` })),
    meta: { resourceType: 'User', created: '2026-01-05T10:00:00Z', lastModified: '2026-01-05T10:00:00Z', location: `${base}/Users/${p.id}` },
  };
}

function scimError(status: number, detail: string): Record<string, unknown> {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail };
}
