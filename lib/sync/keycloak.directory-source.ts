import { DirectoryHttpClient } from './directory-http.js';
import { asArray, asRecord, joinNames, readPath, text, toDirectoryUser } from './directory-fields.js';
import type { DirectoryListOptions, DirectoryPage, DirectorySource, DirectoryUser } from './directory-source.interface.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';

export type KeycloakSourceSettings = Pick<ResolvedUserSyncOptions, 'url' | 'clientId' | 'clientSecret' | 'subjectField' | 'pageSize'>;

/** Refresh the service-account token this long before it expires. */
const TOKEN_EXPIRY_MARGIN_MS = 10_000;

/**
 * Keycloak's Admin REST API with a service account (`client_credentials` at the realm's token
 * endpoint; the client needs realm-management `view-users`): `GET /admin/realms/{realm}/users
 * ?first=&max=&briefRepresentation=false`, a plain array. A short page ends the listing once
 * `users/count` is reached, so a server-side cap on `max` cannot cut it short. The token is
 * refreshed before it expires and once more on a 401. Roles are not in this listing, so the
 * stored ones are kept (logins refresh them from the token).
 */
export class KeycloakDirectorySource implements DirectorySource {
  readonly name = 'keycloak';
  private readonly adminUsersUrl: URL;
  private readonly tokenUrl: URL;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    private readonly settings: KeycloakSourceSettings,
    private readonly http: DirectoryHttpClient,
  ) {
    const realmUrl = new URL(`${settings.url}/`);
    this.tokenUrl = new URL('protocol/openid-connect/token', realmUrl);
    const adminPath = realmUrl.pathname.replace(/\/realms\/([^/]+)\/$/, '/admin/realms/$1/users');
    this.adminUsersUrl = new URL(adminPath, realmUrl.origin);
  }

  async *listUsers(options: DirectoryListOptions = {}): AsyncIterable<DirectoryPage> {
    const { signal } = options;
    const countBefore = await this.count(signal);
    const max = this.settings.pageSize;
    let first = 0;
    for (;;) {
      const url = new URL(this.adminUsersUrl);
      url.searchParams.set('first', String(first));
      url.searchParams.set('max', String(max));
      url.searchParams.set('briefRepresentation', 'false');
      const page = asArray(await this.get(url, signal), 'Keycloak user list');
      first += page.length;
      const last = page.length === 0 || (page.length < max && first >= countBefore);
      const users = page.map((raw) => mapKeycloakUser(raw, this.settings.subjectField));
      yield { users, total: last ? await this.count(signal) : countBefore };
      if (last) return;
    }
  }

  private async count(signal: AbortSignal | undefined): Promise<number> {
    const count = await this.get(new URL(`${this.adminUsersUrl.href}/count`), signal);
    if (typeof count !== 'number') throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', 'Keycloak users/count is not a number');
    return count;
  }

  private async get(url: URL, signal: AbortSignal | undefined): Promise<unknown> {
    try {
      return await this.http.json(url, { headers: { authorization: `Bearer ${await this.accessToken(signal)}` }, signal });
    } catch (error) {
      if (!(error instanceof UserSyncError) || error.status !== 401) throw error;
      this.token = undefined;
      return this.http.json(url, { headers: { authorization: `Bearer ${await this.accessToken(signal)}` }, signal });
    }
  }

  private async accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const basic = Buffer.from(`${encodeURIComponent(this.settings.clientId ?? '')}:${encodeURIComponent(this.settings.clientSecret ?? '')}`).toString('base64');
    let body: Record<string, unknown>;
    try {
      body = asRecord(
        await this.http.json(this.tokenUrl, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
          signal,
        }),
        'Keycloak token response',
      );
    } catch (error) {
      // Keycloak answers 400 invalid_client / unauthorized_client for a wrong secret.
      if (error instanceof UserSyncError && error.status === 400) {
        throw new UserSyncError('SYNC_SOURCE_UNAUTHORIZED', `Keycloak refused the service-account client "${this.settings.clientId}" (check sync.clientId / sync.clientSecret and "Service accounts roles")`, { cause: error, status: 400 });
      }
      throw error;
    }
    const value = text(body.access_token, 100_000);
    if (!value) throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', 'Keycloak token response has no access_token');
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 60) * 1000;
    this.token = { value, expiresAt: Date.now() + Math.max(lifetimeMs - TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return value;
  }
}

/** One Keycloak UserRepresentation. `sub` is the user `id`; the avatar is the `picture` attribute. */
export function mapKeycloakUser(raw: unknown, subjectField: string): DirectoryUser {
  const user = asRecord(raw, 'Keycloak user');
  return toDirectoryUser('Keycloak', subjectField, {
    subject: readPath(user, subjectField),
    username: user.username,
    fullName: joinNames(user.firstName, user.lastName),
    email: user.email,
    avatar: readPath(user, 'attributes.picture'),
    active: user.enabled !== false,
    roles: null,
  });
}
