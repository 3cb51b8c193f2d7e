import { describe, expect, it } from '@jest/globals';
import { AuthConfigError } from '../errors/auth-error.js';
import type { AuthModuleOptions } from './auth-module-options.js';
import { resolveAuthOptions } from './resolve-auth-options.js';

const valid: AuthModuleOptions = {
  issuerUrl: 'https://auth.example.com/application/o/app/',
  clientId: 'app',
  clientSecret: 'secret',
  baseUrl: 'https://app.example.com',
  session: { secret: 'x'.repeat(32) },
};

function configError(options: Partial<AuthModuleOptions> | Record<string, unknown>): AuthConfigError {
  try {
    resolveAuthOptions({ ...valid, ...options });
  } catch (error) {
    if (error instanceof AuthConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthConfigError');
}

describe('resolveAuthOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveAuthOptions(valid);
    expect(resolved.routePrefix).toBe('auth');
    expect(resolved.login.redirectUri).toBe('https://app.example.com/auth/callback');
    expect(resolved.login.scope).toBe('openid profile email');
    expect(resolved.login.clientAuthMethod).toBe('client_secret_basic');
    expect(resolved.login.allowInsecureRequests).toBe(false);
    expect(resolved.tokens).toMatchObject({
      audience: 'app',
      idTokenAlgorithms: ['RS256'],
      accessTokenAlgorithms: ['RS256'],
      clockToleranceSeconds: 60,
      rolesPath: ['roles'],
      jwksCooldownMs: 30_000,
    });
    expect(resolved.session).toMatchObject({ idleTimeoutMs: 1_800_000, absoluteTimeoutMs: 28_800_000 });
    expect(resolved.session.cookie).toEqual({ name: '__Host-nestflux.sid', secure: true, sameSite: 'lax', domain: undefined, path: '/' });
    expect(resolved.runMigrations).toBe(true);
  });

  it('chooses the session store: PostgreSQL by default, Redis by URL or client; a bad one names the key', () => {
    expect(resolveAuthOptions(valid).session.store).toEqual({ type: 'postgres' });
    expect(
      resolveAuthOptions({ ...valid, session: { ...valid.session, store: { type: 'redis', url: 'rediss://r.example:6380/1' } } }).session
        .store,
    ).toEqual({ type: 'redis', url: 'rediss://r.example:6380/1', keyPrefix: 'nestflux:auth:' });
    const client = { duplicate: () => client, quit: async () => 'OK' };
    expect(
      resolveAuthOptions({ ...valid, session: { ...valid.session, store: { type: 'redis', client, keyPrefix: 'app:' } } }).session.store,
    ).toEqual({ type: 'redis', client, keyPrefix: 'app:' });
    const store = (value: unknown) => configError({ session: { ...valid.session, store: value } }).key;
    expect(store({ type: 'memcached' })).toBe('session.store.type');
    expect(store({ type: 'redis' })).toBe('session.store.url');
    expect(store({ type: 'redis', url: 'http://r.example' })).toBe('session.store.url');
    expect(store({ type: 'redis', url: 'redis://r', client })).toBe('session.store');
    expect(store({ type: 'redis', client: {} })).toBe('session.store.client');
    expect(store({ type: 'redis', url: 'redis://r', keyPrefix: 7 })).toBe('session.store.keyPrefix');
  });

  it('keeps the issuer exactly as given (trailing slash and all): it must equal the iss claim', () => {
    expect(resolveAuthOptions(valid).tokens.issuer).toBe('https://auth.example.com/application/o/app/');
  });

  it('parses the roles claim path once', () => {
    expect(resolveAuthOptions({ ...valid, rolesClaim: 'realm_access.roles' }).tokens.rolesPath).toEqual(['realm_access', 'roles']);
    expect(configError({ rolesClaim: 'realm_access..roles' }).key).toBe('rolesClaim');
  });

  it('adds openid to the scopes and honours a route prefix', () => {
    const resolved = resolveAuthOptions({ ...valid, scope: 'profile email groups' }, '/sso/');
    expect(resolved.login.scope).toBe('openid profile email groups');
    expect(resolved.login.redirectUri).toBe('https://app.example.com/sso/callback');
  });

  it('accepts plain http only on loopback or when explicitly allowed', () => {
    expect(resolveAuthOptions({ ...valid, issuerUrl: 'http://127.0.0.1:8080' }).login.allowInsecureRequests).toBe(true);
    expect(resolveAuthOptions({ ...valid, issuerUrl: 'http://localhost:8080/oidc' }).login.allowInsecureRequests).toBe(true);
    const error = configError({ issuerUrl: 'http://idp.internal' });
    expect(error.key).toBe('issuerUrl');
    expect(error.message).toMatch(/allowInsecureIssuer/);
    expect(resolveAuthOptions({ ...valid, issuerUrl: 'http://idp.internal', allowInsecureIssuer: true }).login.allowInsecureRequests).toBe(
      true,
    );
  });

  it.each([
    [{ issuerUrl: undefined }, 'issuerUrl'],
    [{ issuerUrl: 'not a url' }, 'issuerUrl'],
    [{ clientId: '' }, 'clientId'],
    [{ clientSecret: undefined }, 'clientSecret'],
    [{ clientAuthMethod: 'none' }, 'clientAuthMethod'],
    [{ clientAuthMethod: 'private_key_jwt', clientSecret: undefined }, 'clientPrivateKey'],
    [{ baseUrl: 'ftp://x' }, 'baseUrl'],
    [{ session: { secret: 'short' } }, 'session.secret'],
    [{ session: undefined }, 'session.secret'],
    [{ session: { secret: 'x'.repeat(32), idleTimeoutSeconds: 0 } }, 'session.idleTimeoutSeconds'],
    [{ idTokenAlgorithms: ['none'] }, 'idTokenAlgorithms'],
    [{ idTokenAlgorithms: [] }, 'idTokenAlgorithms'],
    [{ accessTokenAlgorithms: ['HS256'] }, 'accessTokenAlgorithms'],
    [{ clockToleranceSeconds: 3600 }, 'clockToleranceSeconds'],
    [{ jwksCooldownSeconds: 120 }, 'jwksCooldownSeconds'],
    [{ cookie: { sameSite: 'none' } }, 'cookie.sameSite'],
    [{ cookie: { name: 'bad name;' } }, 'cookie.name'],
    [{ resource: 'relative' }, 'resource'],
    [{ rateLimit: { limit: 0 } }, 'rateLimit.limit'],
    [{ rateLimit: { windowSeconds: 1.5 } }, 'rateLimit.windowSeconds'],
    [{ rateLimit: { trustedProxies: ['proxy.internal'] } }, 'rateLimit.trustedProxies'],
  ])('rejects %j naming the key %s', (override, key) => {
    const error = configError(override);
    expect(error.key).toBe(key);
    expect(error.code).toBe('AUTH_CONFIG_INVALID');
    expect(error.message).toContain(`"${key}"`);
  });

  it('rejects a route prefix that is not a plain path', () => {
    expect(() => resolveAuthOptions(valid, 'a b')).toThrow(/routePrefix/);
  });

  it('allows HS256 ID tokens only with a client secret', () => {
    expect(resolveAuthOptions({ ...valid, idTokenAlgorithms: ['RS256', 'HS256'] }).tokens.idTokenAlgorithms).toEqual(['RS256', 'HS256']);
  });
});

describe('resolveAuthOptions with several providers', () => {
  const base = { baseUrl: 'https://app.example.com', session: { secret: 'x'.repeat(32) } };
  const one = { slug: 'authentik', issuerUrl: 'https://auth.example.com/application/o/app/', clientId: 'app', clientSecret: 's' };
  const two = { slug: 'keycloak', name: 'Keycloak', issuerUrl: 'https://kc.example.com/realms/main', clientId: 'app', clientSecret: 's' };
  const problem = (options: Record<string, unknown>): AuthConfigError => {
    try {
      resolveAuthOptions({ ...base, ...options });
    } catch (error) {
      if (error instanceof AuthConfigError) return error;
      throw error;
    }
    throw new Error('expected an AuthConfigError');
  };

  it('gives each provider its own redirect URI; provider 1 is the default slice', () => {
    const resolved = resolveAuthOptions({ ...base, providers: [one, two] });
    expect(resolved.providers.map((p) => [p.slug, p.name, p.login.redirectUri])).toEqual([
      ['authentik', 'authentik', 'https://app.example.com/auth/callback/authentik'],
      ['keycloak', 'Keycloak', 'https://app.example.com/auth/callback/keycloak'],
    ]);
    expect(resolved.tokens).toBe(resolved.providers[0].tokens);
    expect(resolved.providers[1].login.fetchUserInfo).toBe('auto');
    expect(resolved.providers[0].provisioning).toEqual({ autoProvision: true, adminEmailDomains: new Set() });
  });

  it('keeps the single-provider form as provider 1 with the unslugged callback', () => {
    const resolved = resolveAuthOptions(valid);
    expect(resolved.providers).toHaveLength(1);
    expect(resolved.providers[0]).toMatchObject({ slug: 'default', name: 'auth.example.com', loginEnabled: true });
    expect(resolved.providers[0].login.redirectUri).toBe('https://app.example.com/auth/callback');
  });

  it('refuses both forms at once, repeated slugs or issuers, and bad slugs, naming the key', () => {
    expect(problem({ issuerUrl: one.issuerUrl, providers: [one] }).key).toBe('issuerUrl');
    expect(problem({ providers: [] }).key).toBe('providers');
    expect(problem({ providers: [one, { ...two, slug: 'authentik' }] }).key).toBe('providers[1].slug');
    expect(problem({ providers: [one, { ...two, issuerUrl: one.issuerUrl }] }).key).toBe('providers[1].issuerUrl');
    expect(problem({ providers: [{ ...one, slug: 'Auth Entik' }] }).key).toBe('providers[0].slug');
    expect(problem({ providers: [one, { ...two, clientId: undefined }] }).key).toBe('providers[1].clientId');
  });

  it('accepts a bearer-only issuer with a JWKS URL, which needs an audience and no client', () => {
    const gateway = {
      slug: 'gw',
      issuerUrl: 'https://gw.example.com',
      jwksUrl: 'https://gw.example.com/jwks',
      login: false,
      audience: 'api',
    };
    const resolved = resolveAuthOptions({ ...base, providers: [one, gateway] });
    expect(resolved.providers[1]).toMatchObject({ loginEnabled: false, jwksUrl: new URL('https://gw.example.com/jwks') });
    expect(problem({ providers: [one, { ...gateway, audience: undefined }] }).key).toBe('providers[1].audience');
    expect(problem({ providers: [{ ...one, jwksUrl: 'https://auth.example.com/jwks' }] }).key).toBe('providers[0].jwksUrl');
  });

  it('normalises admin email domains and refuses a non-domain', () => {
    const resolved = resolveAuthOptions({ ...base, providers: [{ ...one, adminEmailDomains: ['Example.COM', '@corp.example'] }] });
    expect([...resolved.providers[0].provisioning.adminEmailDomains]).toEqual(['example.com', 'corp.example']);
    expect(problem({ providers: [{ ...one, adminEmailDomains: ['not a domain'] }] }).key).toBe('providers[0].adminEmailDomains[0]');
  });
});
