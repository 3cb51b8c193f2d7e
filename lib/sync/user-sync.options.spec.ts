import { describe, expect, it } from '@jest/globals';
import { AuthConfigError } from '../errors/auth-error.js';
import { resolveUserSyncOptions, type UserSyncOptions } from './user-sync.options.js';

const authentik: UserSyncOptions = {
  source: 'authentik',
  url: 'https://auth.example.com/',
  token: 'tok',
  issuer: 'https://auth.example.com/application/o/app/',
};

function keyOf(options: UserSyncOptions | undefined): string | undefined {
  try {
    resolveUserSyncOptions(options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return (error as AuthConfigError).key;
  }
}

describe('resolveUserSyncOptions', () => {
  it('defaults to no source, daily at 03:00 UTC, deactivation on, import off', () => {
    expect(resolveUserSyncOptions(undefined)).toMatchObject({
      source: 'none',
      cron: '0 3 * * *',
      timeZone: 'UTC',
      enabled: false,
      scheduled: false,
      importUsers: false,
      deactivateMissing: true,
      pageSize: 100,
      batchSize: 1000,
      retries: 4,
      leaseSeconds: 120,
    });
  });

  it('applies the per-source subject field and trims the URL', () => {
    expect(resolveUserSyncOptions(authentik)).toMatchObject({
      subjectField: 'uid',
      url: 'https://auth.example.com',
      enabled: true,
      scheduled: true,
    });
    expect(
      resolveUserSyncOptions({ source: 'keycloak', url: 'https://kc.example.com/realms/r', clientId: 'c', clientSecret: 's', issuer: 'x' })
        .subjectField,
    ).toBe('id');
    expect(
      resolveUserSyncOptions({
        source: 'scim',
        url: 'https://idp.example.com/scim/v2',
        token: 't',
        issuer: 'x',
        subjectField: 'externalId',
      }).subjectField,
    ).toBe('externalId');
  });

  it('reads the deactivation limit as a count or a share (default 10%)', () => {
    expect(resolveUserSyncOptions(authentik).deactivateLimit).toEqual({ percent: 10, text: '10%' });
    expect(resolveUserSyncOptions({ ...authentik, deactivateLimit: '500' }).deactivateLimit).toEqual({ count: 500, text: '500' });
    expect(resolveUserSyncOptions({ ...authentik, deactivateLimit: 0 }).deactivateLimit).toEqual({ count: 0, text: '0' });
    expect(resolveUserSyncOptions({ ...authentik, deactivateLimit: ' 2.5% ' }).deactivateLimit).toEqual({ percent: 2.5, text: '2.5%' });
  });

  it('Keycloak roles sync only with the realm roles claim; the Admin API URL is accepted', () => {
    const kc = { source: 'keycloak' as const, url: 'https://kc.example.com/admin/realms/r', clientId: 'c', clientSecret: 's', issuer: 'x' };
    expect(resolveUserSyncOptions({ ...kc, syncRoles: true, rolesClaim: 'realm_access.roles' })).toMatchObject({
      syncRoles: true,
      rolesConcurrency: 8,
    });
    expect(resolveUserSyncOptions(kc).rolesClaim).toBe('roles');
  });

  it('accepts 5 and 6 fields, presets and "off"', () => {
    expect(resolveUserSyncOptions({ ...authentik, cron: '*/10  * * * * *' }).cron).toBe('*/10 * * * * *');
    expect(resolveUserSyncOptions({ ...authentik, cron: '@hourly' }).cron).toBe('@hourly');
    expect(resolveUserSyncOptions({ ...authentik, cron: 'OFF' })).toMatchObject({ cron: 'off', scheduled: false, enabled: true });
    expect(resolveUserSyncOptions({ ...authentik, timeZone: 'Europe/Berlin' }).timeZone).toBe('Europe/Berlin');
  });

  it.each<[UserSyncOptions, string]>([
    [{ ...authentik, cron: '0 3 * *' }, 'sync.cron'],
    [{ ...authentik, cron: '0 3 * * * * *' }, 'sync.cron'],
    [{ ...authentik, cron: '0 24 * * *' }, 'sync.cron'],
    [{ ...authentik, cron: 'daily' }, 'sync.cron'],
    [{ ...authentik, timeZone: 'Europe/Atlantis' }, 'sync.timeZone'],
    [{ ...authentik, source: 'ldap' as never }, 'sync.source'],
    [{ ...authentik, url: undefined }, 'sync.url'],
    [{ ...authentik, url: 'auth.example.com' }, 'sync.url'],
    [{ ...authentik, url: 'http://auth.example.com' }, 'sync.url'],
    [{ ...authentik, url: 'https://user:pw@auth.example.com' }, 'sync.url'],
    [{ ...authentik, token: '' }, 'sync.token'],
    [{ source: 'scim', url: 'https://idp.example.com/scim/v2', issuer: 'x' }, 'sync.token'],
    [{ source: 'keycloak', url: 'https://kc.example.com/realms/r', clientSecret: 's', issuer: 'x' }, 'sync.clientId'],
    [{ source: 'keycloak', url: 'https://kc.example.com/realms/r', clientId: 'c', issuer: 'x' }, 'sync.clientSecret'],
    [{ source: 'keycloak', url: 'https://kc.example.com/', clientId: 'c', clientSecret: 's', issuer: 'x' }, 'sync.url'],
    [{ ...authentik, subjectField: 'a..b' }, 'sync.subjectField'],
    [{ ...authentik, issuer: undefined }, 'sync.issuer'],
    [{ ...authentik, importUsers: 'yes' as never }, 'sync.importUsers'],
    [{ ...authentik, pageSize: 0 }, 'sync.pageSize'],
    [{ ...authentik, deactivateLimit: 'ten' }, 'sync.deactivateLimit'],
    [{ ...authentik, deactivateLimit: '150%' }, 'sync.deactivateLimit'],
    [{ ...authentik, deactivateLimit: -1 }, 'sync.deactivateLimit'],
    [{ ...authentik, deactivateLimit: '2.5' }, 'sync.deactivateLimit'],
    [{ ...authentik, syncRoles: true }, 'sync.syncRoles'],
    [
      {
        source: 'keycloak',
        url: 'https://kc.example.com/realms/r',
        clientId: 'c',
        clientSecret: 's',
        issuer: 'x',
        syncRoles: true,
        rolesClaim: 'roles',
      },
      'sync.syncRoles',
    ],
    [{ source: 'keycloak', url: 'https://kc.example.com/admin/realms/', clientId: 'c', clientSecret: 's', issuer: 'x' }, 'sync.url'],
    [{ ...authentik, directorySource: {} as never }, 'sync.directorySource'],
  ])('rejects %j naming the key', (options, key) => {
    expect(keyOf(options)).toBe(key);
  });

  it('allows plain http on loopback, or when told', () => {
    expect(keyOf({ ...authentik, url: 'http://127.0.0.1:9000' })).toBeUndefined();
    expect(keyOf({ ...authentik, url: 'http://authentik.internal', allowInsecureUrl: true })).toBeUndefined();
  });

  it('a custom directory source needs no URL or credentials', () => {
    const directorySource = { name: 'hr', listUsers: async function* () {} };
    expect(resolveUserSyncOptions({ directorySource, issuer: 'x' })).toMatchObject({ source: 'custom', enabled: true });
  });

  it('says what to do in the message', () => {
    expect(() => resolveUserSyncOptions({ ...authentik, cron: '0 3 * *' })).toThrow(/"sync.cron" "0 3 \* \*" has 4 fields\. Use 5 fields/);
  });
});
