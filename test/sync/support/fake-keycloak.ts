import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type RoleRepresentation from '@keycloak/keycloak-admin-client/lib/defs/roleRepresentation.js';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import { FakeDirectoryServer, type FakePerson, type FakeResponse, intParam } from './fake-directory-server.js';

/**
 * Keycloak 26 as the sync meets it (types from `@keycloak/keycloak-admin-client`): the realm's
 * token endpoint (`client_credentials`, client_secret_basic; a wrong id or secret gets
 * `401 {"error":"unauthorized_client","error_description":"Invalid client or Invalid client
 * credentials"}`), and the Admin REST API under `/admin/realms/{realm}`: `users` (a plain array,
 * `first`/`max`, `max` capped at `maxPageSize`, 100 when absent; the client's service-account user is
 * not among `people`, as Keycloak leaves service accounts out of user searches and counts), `users/count`, and
 * `users/{id}/role-mappings/realm/composite` (effective realm roles, default roles included).
 * Without realm-management `view-users` (`canViewUsers` false) the Admin API answers
 * `403 {"error":"HTTP 403 Forbidden"}`. A token is good for `tokenUses` admin requests, then
 * answers 401, as an expired one does.
 */
export class FakeKeycloak extends FakeDirectoryServer {
  maxPageSize = 100;
  tokenUses = Number.POSITIVE_INFINITY;
  tokensIssued = 0;
  canViewUsers = true;
  /** Role-mapping requests answered at once, at most, over the fake's life. */
  maxRoleRequestsInFlight = 0;
  /** Realm roles assigned directly, by person id; everyone also has the realm's default roles. */
  readonly realmRoles = new Map<string, string[]>();
  private roleRequestsInFlight = 0;
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

  /** The realm's default composite role and what it contains, as in every new realm. */
  get defaultRoles(): string[] {
    return [`default-roles-${this.realm}`, 'offline_access', 'uma_authorization'];
  }

  protected override async handleAsync(req: IncomingMessage, url: URL, body: string): Promise<FakeResponse> {
    if (!/\/role-mappings\/realm\/composite$/.test(url.pathname)) return this.handle(req, url, body);
    this.roleRequestsInFlight += 1;
    this.maxRoleRequestsInFlight = Math.max(this.maxRoleRequestsInFlight, this.roleRequestsInFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return this.handle(req, url, body);
    } finally {
      this.roleRequestsInFlight -= 1;
    }
  }

  protected handle(req: IncomingMessage, url: URL, body: string): FakeResponse {
    if (req.method === 'POST' && url.pathname === `/realms/${this.realm}/protocol/openid-connect/token`) return this.token(req, body);
    const prefix = `/admin/realms/${this.realm}/users`;
    if (!url.pathname.startsWith(prefix)) return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    const token = this.bearer(req);
    const uses = token === undefined ? undefined : this.tokens.get(token);
    if (uses === undefined || uses <= 0) return { status: 401, body: { error: 'HTTP 401 Unauthorized' } };
    this.tokens.set(token!, uses - 1);
    if (!this.canViewUsers) return { status: 403, body: { error: 'HTTP 403 Forbidden' } };
    const rest = url.pathname.slice(prefix.length);
    if (rest === '/count') return { status: 200, body: this.people.length };
    const roles = /^\/([^/]+)\/role-mappings\/realm\/composite$/.exec(rest);
    if (roles) {
      const person = this.people.find((p) => p.id === decodeURIComponent(roles[1]));
      if (!person) return { status: 404, body: { error: 'User not found' } };
      const names = [...this.defaultRoles, ...(this.realmRoles.get(person.id) ?? [])];
      const representations: RoleRepresentation[] = names.map((name) => ({
        id: `role-${name}`,
        name,
        composite: name.startsWith('default-roles-'),
        clientRole: false,
        containerId: this.realm,
      }));
      return { status: 200, body: representations };
    }
    if (rest !== '' && rest !== '/') return { status: 404, body: { error: 'HTTP 404 Not Found' } };
    const first = Math.max(intParam(url, 'first', 0), 0);
    const max = Math.min(Math.max(intParam(url, 'max', 100), 0), this.maxPageSize);
    const brief = url.searchParams.get('briefRepresentation') === 'true';
    return { status: 200, body: this.people.slice(first, first + max).map((p) => keycloakUser(p, brief)) };
  }

  private token(req: IncomingMessage, body: string): FakeResponse {
    const form = new URLSearchParams(body);
    const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
      .map(decodeURIComponent);
    if (id !== this.clientId || secret !== this.clientSecret) {
      return { status: 401, body: { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' } };
    }
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, this.tokenUses);
    this.tokensIssued += 1;
    return {
      status: 200,
      body: {
        access_token: token,
        expires_in: 300,
        refresh_expires_in: 0,
        token_type: 'Bearer',
        'not-before-policy': 0,
        scope: 'profile email',
      },
    };
  }
}

export function keycloakUser(p: FakePerson, brief: boolean): UserRepresentation {
  const user: UserRepresentation = {
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
