import type { Provider } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.tokens.js';
import type { ResolvedAuthOptions } from '../options/resolved-auth-options.js';
import { AuthentikDirectorySource } from './authentik.directory-source.js';
import { DirectoryHttpClient } from './directory-http.js';
import { DIRECTORY_SOURCE, type DirectoryListOptions, type DirectoryPage, type DirectorySource } from './directory-source.interface.js';
import { KeycloakDirectorySource } from './keycloak.directory-source.js';
import { ScimDirectorySource } from './scim.directory-source.js';
import { type ResolvedUserSyncOptions, resolveUserSyncOptions } from './user-sync.options.js';
import { UserSyncScheduler } from './user-sync.scheduler.js';
import { UserSyncService } from './user-sync.service.js';
import { USER_SYNC_OPTIONS } from './user-sync.tokens.js';

/** The directory source the options choose: the host's own, a built-in one, or none. */
export function createDirectorySource(options: ResolvedUserSyncOptions): DirectorySource {
  if (options.directorySource) return options.directorySource;
  const http = new DirectoryHttpClient(options);
  switch (options.source) {
    case 'authentik':
      return new AuthentikDirectorySource(options, http);
    case 'keycloak':
      return new KeycloakDirectorySource(options, http);
    case 'scim':
      return new ScimDirectorySource(options, http);
    default:
      return new NoDirectorySource();
  }
}

/** `source: none`: the sync is off; listing is a programming error. */
class NoDirectorySource implements DirectorySource {
  readonly name = 'none';
  // eslint-disable-next-line require-yield -- fails when iterated, as a source that cannot list does
  async *listUsers(_options?: DirectoryListOptions): AsyncIterable<DirectoryPage> {
    throw new TypeError('No directory source is configured (sync.source is "none").');
  }
}

/** The sync slice of the module options, validated at boot; the issuer and roles claim default to the module's. */
export const userSyncOptionsProvider: Provider = {
  provide: USER_SYNC_OPTIONS,
  inject: [RESOLVED_AUTH_OPTIONS],
  useFactory: (auth: ResolvedAuthOptions): ResolvedUserSyncOptions =>
    resolveUserSyncOptions({
      ...auth.sync,
      issuer: auth.sync?.issuer ?? auth.tokens.issuer,
      rolesClaim: auth.sync?.rolesClaim ?? auth.tokens.rolesPath?.join('.'),
    }),
};

export const directorySourceProvider: Provider = {
  provide: DIRECTORY_SOURCE,
  inject: [USER_SYNC_OPTIONS],
  useFactory: createDirectorySource,
};

/**
 * Everything the user sync needs inside AuthModule (which also imports `ScheduleModule.forRoot()`
 * and `TypeOrmModule.forFeature(authEntities)`, and exports `UserSyncService`).
 */
export const userSyncProviders: Provider[] = [userSyncOptionsProvider, directorySourceProvider, UserSyncService, UserSyncScheduler];
