import { DirectoryHttpClient } from './directory-http.js';
import { asArray, asRecord, joinNames, readPath, strings, text, toDirectoryUser } from './directory-fields.js';
import type { DirectoryListOptions, DirectoryPage, DirectorySource, DirectoryUser } from './directory-source.interface.js';
import { mapConcurrently } from './map-concurrently.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';

export type KeycloakSourceSettings = Pick<
  ResolvedUserSyncOptions,
  'url' | 'clientId' | 'clientSecret' | 'subjectField' | 'pageSize' | 'syncRoles' | 'rolesConcurrency'
>;

/** Refresh the service-account token this long before it expires. */
const TOKEN_EXPIRY_MARGIN_MS = 10_000;

/**
 * The realm's token endpoint and Admin API base from either URL form the contract accepts: the
 * realm URL (`https://kc/realms/r`, also `…/auth/realms/r` on old installs) or the Admin API
 * URL (`https://kc/admin/realms/r`).
 */
export function keycloakUrls(url: string): { tokenUrl: URL; adminUrl: URL } {
  const parsed = new URL(url);
  const match = /^(.*?)\/(?:admin\/)?realms\/([^/]+)\/?$/.exec(parsed.pathname);
  if (!match) throw new TypeError(`Not a Keycloak realm or Admin API URL: ${url}`);
  const [, prefix, realm] = match;
  return {
    tokenUrl: new URL(`${prefix}/realms/${realm}/protocol/openid-connect/token`, parsed.origin),
    adminUrl: new URL(`${prefix}/admin/realms/${realm}`, parsed.origin),
  };
}

/**
 * Keycloak's Admin REST API with a service account (`client_credentials` at the realm's token
 * endpoint; the client needs realm-management `view-users`): `GET {admin}/users?first=&max=
 * &briefRepresentation=false`, a plain array. A short page ends the listing once `users/count`
 * is reached, so a server-side cap on `max` cannot cut it short. The token is refreshed before
 * it expires and once more on a 401. With `syncRoles`, each user's effective realm roles
 * (`role-mappings/realm/composite`, what Keycloak puts in `realm_access.roles`) are read,
 * `rolesConcurrency` at a time; without it roles are not listed and stored ones are kept.
 */
export class KeycloakDirectorySource implements DirectorySource {
  readonly name = 'keycloak';
  private readonly adminUrl: URL;
  private readonly tokenUrl: URL;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    private readonly settings: KeycloakSourceSettings,
    private readonly http: DirectoryHttpClient,
  ) {
    ({ tokenUrl: this.tokenUrl, adminUrl: this.adminUrl } = keycloakUrls(settings.url ?? ''));
  }

  async *listUsers(options: DirectoryListOptions = {}): AsyncIterable<DirectoryPage> {
    const { signal } = options;
    const countBefore = await this.count(signal);
    const max = this.settings.pageSize;
    let first = 0;
    for (;;) {
      const url = new URL(`${this.adminUrl.href}/users`);
      url.searchParams.set('first', String(first));
      url.searchParams.set('max', String(max));
      url.searchParams.set('briefRepresentation', 'false');
      const page = asArray(await this.get(url, signal), 'Keycloak user list');
      first += page.length;
      const last = page.length === 0 || (page.length < max && first >= countBefore);
      const users = page.map((raw) => mapKeycloakUser(raw, this.settings.subjectField));
      if (this.settings.syncRoles) await this.addRealmRoles(page, users, signal);
      yield { users, total: last ? await this.count(signal) : countBefore };
      if (last) return;
    }
  }

  private async addRealmRoles(page: unknown[], users: DirectoryUser[], signal: AbortSignal | undefined): Promise<void> {
    await mapConcurrently(page, this.settings.rolesConcurrency, async (raw, i) => {
      const id = text(asRecord(raw, 'Keycloak user').id, 255);
      if (!id) throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', 'Keycloak listed a user without "id"');
      const url = new URL(`${this.adminUrl.href}/users/${encodeURIComponent(id)}/role-mappings/realm/composite`);
      url.searchParams.set('briefRepresentation', 'true');
      const roles = asArray(await this.get(url, signal), 'Keycloak realm role mappings');
      users[i].roles = [...new Set(strings(roles.map((role) => readPath(role, 'name'))))].sort();
    });
  }

  private async count(signal: AbortSignal | undefined): Promise<number> {
    const count = await this.get(new URL(`${this.adminUrl.href}/users/count`), signal);
    if (typeof count !== 'number') throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', 'Keycloak users/count is not a number');
    return count;
  }

  private async get(url: URL, signal: AbortSignal | undefined): Promise<unknown> {
    try {
      return await this.http.json(url, { headers: { authorization: `Bearer ${await this.accessToken(signal)}` }, signal });
    } catch (error) {
      if (error instanceof UserSyncError && error.status === 403) {
        throw new UserSyncError(
          'SYNC_SOURCE_UNAUTHORIZED',
          `Keycloak refused ${url.pathname} (403): give the service account of client "${this.settings.clientId}" the realm-management role view-users`,
          { cause: error, status: 403 },
        );
      }
      if (!(error instanceof UserSyncError) || error.status !== 401) throw error;
      this.token = undefined;
      return this.http.json(url, { headers: { authorization: `Bearer ${await this.accessToken(signal)}` }, signal });
    }
  }

  private async accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const basic = Buffer.from(
      `${encodeURIComponent(this.settings.clientId ?? '')}:${encodeURIComponent(this.settings.clientSecret ?? '')}`,
    ).toString('base64');
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
      // 401 invalid_client / unauthorized_client for a wrong id or secret, 400 when the client may not use a service account.
      if (error instanceof UserSyncError && (error.status === 400 || error.status === 401)) {
        throw new UserSyncError(
          'SYNC_SOURCE_UNAUTHORIZED',
          `Keycloak refused the service-account client "${this.settings.clientId}" at ${this.tokenUrl.pathname} (${error.status}${error.detail ? ` ${error.detail}` : ''}): ` +
            'check AUTH_SYNC_CLIENT_ID and AUTH_SYNC_CLIENT_SECRET (sync.clientId / sync.clientSecret), and that the client has "Service accounts roles" enabled',
          { cause: error, status: error.status, detail: error.detail },
        );
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
