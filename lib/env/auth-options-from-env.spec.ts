import { describe, expect, it } from '@jest/globals';
import { AuthEnvError } from './auth-env.error.js';
import { authOptionsFromEnv } from './auth-options-from-env.js';

const MINIMAL = {
  OIDC_ISSUER_URL: 'https://id.example.com/realms/main',
  OIDC_CLIENT_ID: 'my-app',
  OIDC_CLIENT_SECRET: 'client-secret',
  AUTH_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
};

function errorFor(env: Record<string, string | undefined>): AuthEnvError {
  try {
    authOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof AuthEnvError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('authOptionsFromEnv', () => {
  it("applies the contract's defaults to the four required variables", () => {
    expect(authOptionsFromEnv(MINIMAL)).toEqual({
      issuerUrl: 'https://id.example.com/realms/main',
      clientId: 'my-app',
      clientSecret: 'client-secret',
      baseUrl: 'http://localhost:3000',
      scope: 'openid profile email',
      audience: 'my-app',
      rolesClaim: 'roles',
      jwksCooldownSeconds: 30,
      session: { secret: MINIMAL.AUTH_SESSION_SECRET, idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 28800 },
      rateLimit: { limit: 20, windowSeconds: 60, trustedProxies: [] },
      sync: {
        cron: '0 3 * * *',
        timeZone: 'UTC',
        source: 'none',
        url: undefined,
        token: undefined,
        clientId: undefined,
        clientSecret: undefined,
        subjectField: undefined,
        importUsers: false,
        deactivateMissing: true,
        deactivateLimit: undefined,
        syncRoles: false,
        rolesClaim: 'roles',
      },
    });
  });

  it('reads every variable of the contract', () => {
    const options = authOptionsFromEnv({
      ...MINIMAL,
      BASE_URL: 'https://app.example.com/',
      OIDC_SCOPE: 'openid email',
      OIDC_AUDIENCE: 'api://my-app',
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      OIDC_JWKS_COOLDOWN_SECONDS: '10',
      AUTH_SESSION_IDLE_SECONDS: '600',
      AUTH_SESSION_MAX_SECONDS: '3600',
      REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_RATE_LIMIT: '100/1m',
      AUTH_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8',
      AUTH_ENFORCE: 'true',
      AUTH_SYNC_SOURCE: 'keycloak',
      AUTH_SYNC_URL: 'https://kc.example.com/realms/main',
      AUTH_SYNC_CLIENT_ID: 'sync',
      AUTH_SYNC_CLIENT_SECRET: 'sync-secret',
      AUTH_SYNC_DEACTIVATE_LIMIT: '5%',
      AUTH_SYNC_ROLES: 'yes',
      OIDC_CLI_CLIENT_ID: 'my-cli',
    });
    expect(options).toMatchObject({
      baseUrl: 'https://app.example.com',
      scope: 'openid email',
      audience: 'api://my-app',
      rolesClaim: 'realm_access.roles',
      jwksCooldownSeconds: 10,
      session: {
        idleTimeoutSeconds: 600,
        absoluteTimeoutSeconds: 3600,
        store: { type: 'redis', url: 'redis://127.0.0.1:6379', keyPrefix: 'nestflux:auth:' },
      },
      rateLimit: { limit: 100, windowSeconds: 60, trustedProxies: ['loopback', '10.0.0.0/8'] },
      enforce: { exclude: ['/health', '/api/public'] },
      sync: {
        source: 'keycloak',
        url: 'https://kc.example.com/realms/main',
        clientId: 'sync',
        deactivateLimit: '5%',
        syncRoles: true,
        rolesClaim: 'realm_access.roles',
      },
      deviceFlow: { clientId: 'my-cli' },
    });
  });

  it.each([
    ['OIDC_ISSUER_URL', { OIDC_ISSUER_URL: undefined }, /not set/],
    ['OIDC_ISSUER_URL', { OIDC_ISSUER_URL: '' }, /empty/],
    ['OIDC_ISSUER_URL', { OIDC_ISSUER_URL: 'id.example.com' }, /http\(s\) URL/],
    ['OIDC_CLIENT_ID', { OIDC_CLIENT_ID: undefined }, /not set/],
    ['AUTH_SESSION_SECRET', { AUTH_SESSION_SECRET: 'short' }, /at least 32/],
    ['AUTH_SESSION_IDLE_SECONDS', { AUTH_SESSION_IDLE_SECONDS: '9000', AUTH_SESSION_MAX_SECONDS: '3600' }, /must not exceed/],
    ['AUTH_SESSION_MAX_SECONDS', { AUTH_SESSION_MAX_SECONDS: '1h' }, /whole number of seconds/],
    ['OIDC_JWKS_COOLDOWN_SECONDS', { OIDC_JWKS_COOLDOWN_SECONDS: '600' }, /from 1 to 60/],
    ['AUTH_RATE_LIMIT', { AUTH_RATE_LIMIT: 'lots' }, /20\/60s/],
    ['AUTH_ENFORCE', { AUTH_ENFORCE: 'maybe' }, /true or false/],
    ['AUTH_SYNC_SOURCE', { AUTH_SYNC_SOURCE: 'ldap' }, /authentik, keycloak, scim/],
    ['BASE_URL', { BASE_URL: 'app.example.com' }, /http\(s\) URL/],
    ['PORT', { PORT: '70000' }, /from 0 to 65535/],
  ])('names %s when it is wrong: %j', (variable, change, message) => {
    const error = errorFor({ ...MINIMAL, ...change });
    expect(error.variable).toBe(variable);
    expect(error.code).toBe('AUTH_CONFIG_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(variable);
  });

  it('leaves the client secret to the module when it is not set (a sync-only process needs none)', () => {
    expect(authOptionsFromEnv({ ...MINIMAL, OIDC_CLIENT_SECRET: '' }).clientSecret).toBeUndefined();
  });

  it('reads numbered providers (OIDC_PROVIDER_<n>_*) into providers, provider 1 first', () => {
    const { AUTH_SESSION_SECRET } = MINIMAL;
    const options = authOptionsFromEnv({
      AUTH_SESSION_SECRET,
      OIDC_PROVIDER_1_SLUG: 'authentik',
      OIDC_PROVIDER_1_ISSUER: 'https://ak.example.com/application/o/app/',
      OIDC_PROVIDER_1_CLIENT_ID: 'ak',
      OIDC_PROVIDER_1_CLIENT_SECRET: 's1',
      OIDC_PROVIDER_1_ROLES_CLAIM: 'groups',
      OIDC_PROVIDER_2_SLUG: 'keycloak',
      OIDC_PROVIDER_2_NAME: 'Keycloak',
      OIDC_PROVIDER_2_ISSUER: 'https://kc.example.com/realms/main',
      OIDC_PROVIDER_2_CLIENT_ID: 'kc',
      OIDC_PROVIDER_2_CLIENT_SECRET: 's2',
      OIDC_PROVIDER_2_AUTO_PROVISION: 'false',
      OIDC_PROVIDER_2_ADMIN_EMAIL_DOMAINS: 'example.com',
    });
    expect(options.issuerUrl).toBeUndefined();
    expect(options.providers).toEqual([
      {
        slug: 'authentik',
        name: 'authentik',
        issuerUrl: 'https://ak.example.com/application/o/app/',
        clientId: 'ak',
        clientSecret: 's1',
        scope: 'openid profile email',
        audience: 'ak',
        rolesClaim: 'groups',
        autoProvision: true,
        adminEmailDomains: [],
      },
      {
        slug: 'keycloak',
        name: 'Keycloak',
        issuerUrl: 'https://kc.example.com/realms/main',
        clientId: 'kc',
        clientSecret: 's2',
        scope: 'openid profile email',
        audience: 'kc',
        rolesClaim: 'roles',
        autoProvision: false,
        adminEmailDomains: ['example.com'],
      },
    ]);
    expect(options.sync?.rolesClaim).toBe('groups');
  });

  const provider = (n: number, slug: string) => ({
    [`OIDC_PROVIDER_${n}_SLUG`]: slug,
    [`OIDC_PROVIDER_${n}_ISSUER`]: `https://${slug}.example.com`,
    [`OIDC_PROVIDER_${n}_CLIENT_ID`]: slug,
    [`OIDC_PROVIDER_${n}_CLIENT_SECRET`]: 'secret',
  });
  it.each([
    ['OIDC_PROVIDER_2_ISSUER', { ...provider(1, 'one'), ...provider(3, 'three') }, /without gaps/],
    ['OIDC_PROVIDER_2_SLUG', { ...provider(1, 'same'), ...provider(2, 'same') }, /repeats "same"/],
    ['OIDC_ISSUER_URL', { ...provider(1, 'one'), OIDC_ISSUER_URL: 'https://x.example.com' }, /both set/],
    ['OIDC_PROVIDER_1_COLOUR', { ...provider(1, 'one'), OIDC_PROVIDER_1_COLOUR: 'blue' }, /not a provider variable/],
    ['OIDC_PROVIDER_1_SLUG', { ...provider(1, 'Not A Slug') }, /lower-case/],
    ['OIDC_PROVIDER_1_CLIENT_SECRET', { ...provider(1, 'one'), OIDC_PROVIDER_1_CLIENT_SECRET: undefined }, /not set/],
  ])('names %s in numbered providers: %j', (variable, env, message) => {
    const error = errorFor({ AUTH_SESSION_SECRET: MINIMAL.AUTH_SESSION_SECRET, ...env });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('never puts a secret into an error message', () => {
    const error = errorFor({ ...MINIMAL, AUTH_SESSION_SECRET: 'tiny-secret-value' });
    expect(error.message).not.toContain('tiny-secret-value');
  });
});
