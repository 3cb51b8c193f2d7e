import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FakeDirectoryServer, type FakePerson, type FakeResponse, intParam } from './fake-directory-server.js';

/**
 * Keycloak 26's token endpoint (`client_credentials`, client_secret_basic) and Admin REST
 * `GET /admin/realms/{realm}/users` (a plain array, `first`/`max`, capped at `maxPageSize`)
 * and `/users/count`. A token is good for `tokenUses` admin requests, then answers 401, as an
 * expired token does.
 */
export class FakeKeycloak extends FakeDirectoryServer {
  maxPageSize = 100;
  tokenUses = Number.POSITIVE_INFINITY;
  tokensIssued = 0;
  private readonly tokens = new Map<string, number>();

  constructor(
    readonly realm = 'test',
    readonly clientId = 'nestflux-sync',
    readonly clientSecret = 'kc-sync-secret',
  ) {
    super();
  }

  protected baseUrl(origin: string): string {
    return `${origin}/realms/${this.realm}`;
  }

  protected handle(req: IncomingMessage, url: URL, body: string): FakeResponse {
    if (req.method === 'POST' && url.pathname === `/realms/${this.realm}/protocol/openid-connect/token`) return this.token(req, body);
    const prefix = `/admin/realms/${this.realm}/users`;
    if (url.pathname !== prefix && url.pathname !== `${prefix}/count`) return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    const token = this.bearer(req);
    const uses = token === undefined ? undefined : this.tokens.get(token);
    if (uses === undefined || uses <= 0) return { status: 401, body: { error: 'HTTP 401 Unauthorized' } };
    this.tokens.set(token!, uses - 1);
    if (url.pathname.endsWith('/count')) return { status: 200, body: this.people.length };
    const first = Math.max(intParam(url, 'first', 0), 0);
    const max = Math.min(Math.max(intParam(url, 'max', 100), 0), this.maxPageSize);
    const brief = url.searchParams.get('briefRepresentation') === 'true';
    return { status: 200, body: this.people.slice(first, first + max).map((p) => keycloakUser(p, brief)) };
  }

  private token(req: IncomingMessage, body: string): FakeResponse {
    const form = new URLSearchParams(body);
    const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
    if (id !== this.clientId || secret !== this.clientSecret) {
      return { status: 401, body: { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' } };
    }
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, this.tokenUses);
    this.tokensIssued += 1;
    return { status: 200, body: { access_token: token, expires_in: 300, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email' } };
  }
}

export function keycloakUser(p: FakePerson, brief: boolean): Record<string, unknown> {
  const user: Record<string, unknown> = {
    id: p.id,
    username: p.username,
    firstName: p.firstName,
    lastName: p.lastName,
    email: p.email ?? undefined,
    emailVerified: true,
    createdTimestamp: 1767607200000,
    enabled: p.active,
    totp: false,
  };
  if (brief) return user;
  return {
    ...user,
    attributes: p.avatar ? { picture: [p.avatar] } : undefined,
    disableableCredentialTypes: [],
    requiredActions: [],
    notBefore: 0,
    access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: false, manage: true },
  };
}
