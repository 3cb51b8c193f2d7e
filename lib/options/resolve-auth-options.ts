import { resolveAuditOptions } from '../audit/audit.options.js';
import { AuthConfigError } from '../errors/auth-error.js';
import type {
  AuthModuleOptions,
  AuthProviderOptions,
  AuthProvisioningOptions,
  ClientAuthMethod,
  RedisClientInstance,
} from './auth-module-options.js';
import { cookiePrefixProblem, defaultSessionCookieName } from '../http/cookies.js';
import type {
  DeviceFlowSettings,
  EnforceSettings,
  FrontchannelLogoutSettings,
  IntrospectionSettings,
  ProvisioningSettings,
  ResolvedAuthOptions,
  ResolvedProvider,
  SessionSettings,
  SessionStoreSettings,
  TokenRelaySettings,
} from './resolved-auth-options.js';
import { compilePathExclusions, pathPatternProblem } from '../guards/enforce-paths.js';
import { loginBindingCookie } from '../login/login-binding.js';
import { resolveRateLimit } from './resolve-rate-limit.js';
import { describeValue } from '../errors/describe-value.js';
import { wholeNumberOption } from './whole-number-option.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
const KNOWN_ALGORITHMS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'HS256',
  'HS384',
  'HS512',
]);
const LOGIN_STATE_TTL_MS = 10 * 60_000;

const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What every provider shares: app-wide settings its own are derived from. */
interface ProviderContext {
  baseHref: string;
  routePrefix: string;
  appOrigin: string;
  cookieSecure: boolean;
  clockToleranceSeconds: number;
  jwksCooldownMs: number;
  jwksMaxAgeMs: number;
  jwksStaleIfErrorMs: number;
  httpTimeoutMs: number;
}

/**
 * Validates the options once, at boot, for `forRoot` and `forRootAsync` alike, and applies the
 * defaults. Every problem throws an `AuthConfigError` naming the key and the fix.
 */
export function resolveAuthOptions(options: AuthModuleOptions, routePrefixOption = 'auth'): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') {
    throw new AuthConfigError(
      '(options)',
      'is missing',
      'Pass an options object to AuthModule.forRoot() or return one from forRootAsync({ useFactory }).',
    );
  }
  const baseUrl = requireUrl(options.baseUrl, 'baseUrl', 'the public URL of this app, e.g. https://app.example.com');
  checkTransport(baseUrl, 'baseUrl', true);
  const routePrefix = normaliseRoutePrefix(routePrefixOption);
  const session = options.session;
  if (!session || typeof session.secret !== 'string' || session.secret.length < 32) {
    throw new AuthConfigError(
      'session.secret',
      'must be a string of at least 32 characters',
      'Generate one with `openssl rand -base64 48` and keep it in your secret store.',
    );
  }
  const idleTimeoutSeconds = wholeNumberOption(session.idleTimeoutSeconds, 1800, 60, 30 * 86400, 'session.idleTimeoutSeconds');
  const absoluteTimeoutSeconds = wholeNumberOption(
    session.absoluteTimeoutSeconds,
    28800,
    60,
    365 * 86400,
    'session.absoluteTimeoutSeconds',
  );
  const cookie = options.cookie ?? {};
  const sameSite = cookie.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new AuthConfigError(
      'cookie.sameSite',
      `is "${String(sameSite)}"`,
      'Use "lax" (default) or "strict"; "none" would send the session cookie on cross-site requests.',
    );
  }
  const cookieAttributes = { secure: cookie.secure ?? baseUrl.protocol === 'https:', domain: cookie.domain, path: cookie.path ?? '/' };
  const cookieName = cookie.name ?? defaultSessionCookieName(cookieAttributes);
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new AuthConfigError('cookie.name', `is "${cookieName}"`, 'Use letters, digits and . _ - only.');
  }
  const prefixProblem = cookiePrefixProblem({ name: cookieName, ...cookieAttributes });
  if (prefixProblem)
    throw new AuthConfigError(
      'cookie.name',
      `is "${cookieName}", whose prefix ${prefixProblem}`,
      'Change the name or the cookie attributes; browsers drop such a cookie.',
    );
  const context: ProviderContext = {
    baseHref: baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`,
    routePrefix,
    appOrigin: baseUrl.origin,
    cookieSecure: cookieAttributes.secure,
    clockToleranceSeconds: wholeNumberOption(options.clockToleranceSeconds, 60, 0, 300, 'clockToleranceSeconds'),
    jwksCooldownMs: wholeNumberOption(options.jwksCooldownSeconds, 30, 1, 60, 'jwksCooldownSeconds') * 1000,
    jwksMaxAgeMs: wholeNumberOption(options.jwksMaxAgeSeconds, 600, 1, 86400, 'jwksMaxAgeSeconds') * 1000,
    jwksStaleIfErrorMs: wholeNumberOption(options.jwksStaleIfErrorSeconds, 86400, 0, 7 * 86400, 'jwksStaleIfErrorSeconds') * 1000,
    httpTimeoutMs: wholeNumberOption(options.httpTimeoutMs, 5000, 100, 120_000, 'httpTimeoutMs'),
  };
  const providers = resolveProviders(options, context);
  const first = providers[0];
  const deviceFlow = deviceFlowSettings(options.deviceFlow, {
    issuer: first.tokens.issuer,
    scope: first.login.scope,
    audience: first.tokens.audience,
    resource: first.login.resource,
  });
  // The CLI client's tokens are meant for this API: the host configured that client here.
  const allowedClientIds = first.tokens.allowedClientIds;
  if (allowedClientIds && deviceFlow)
    first.tokens = { ...first.tokens, allowedClientIds: new Set([...allowedClientIds, deviceFlow.clientId]) };

  const rateLimit = resolveRateLimit(options.rateLimit);
  return {
    routePrefix,
    providers,
    rateLimit,
    audit: resolveAuditOptions(options.audit, rateLimit.trustedProxies),
    runMigrations: options.database?.runMigrations ?? true,
    claimsMapper: options.claimsMapper,
    afterLogin: options.afterLogin,
    sync: options.sync,
    enforce: enforceSettings(options.enforce, routePrefix),
    deviceFlow,
    tokenRelay: tokenRelaySettings(options.tokenRelay, routePrefix),
    frontchannelLogout: frontchannelLogoutSettings(options.frontchannelLogout),
    introspection: introspectionSettings(options.introspection, options.allowInsecureIssuer === true),
    tokens: first.tokens,
    login: first.login,
    session: {
      secret: session.secret,
      idleTimeoutMs: idleTimeoutSeconds * 1000,
      absoluteTimeoutMs: absoluteTimeoutSeconds * 1000,
      cache: resolveSessionCache(session.cache),
      store: resolveSessionStore(session.store),
      cookie: {
        name: cookieName,
        sameSite,
        ...cookieAttributes,
      },
    },
  };
}

/** The single-provider keys (they become provider 1, slug `providerSlug`) or the `providers` list. */
function resolveProviders(options: AuthModuleOptions, context: ProviderContext): ResolvedProvider[] {
  if (options.providers === undefined) {
    const issuer = requireUrl(options.issuerUrl, 'issuerUrl', 'the provider issuer, e.g. https://auth.example.com/application/o/my-app/');
    const single: AuthProviderOptions = {
      ...options,
      issuerUrl: options.issuerUrl!,
      slug: options.providerSlug ?? 'default',
      name: options.providerName ?? issuer.host,
      login: true,
    };
    return [
      resolveProvider(
        single,
        (key) => (key === 'slug' ? 'providerSlug' : key === 'name' ? 'providerName' : key),
        context,
        `${context.routePrefix}/callback`,
      ),
    ];
  }
  if (options.issuerUrl !== undefined || options.clientId !== undefined || options.clientSecret !== undefined) {
    const key = options.issuerUrl !== undefined ? 'issuerUrl' : options.clientId !== undefined ? 'clientId' : 'clientSecret';
    throw new AuthConfigError(
      key,
      'is set together with "providers"',
      'Describe every provider in "providers" (the first is the default) and remove the single-provider keys, or drop "providers".',
    );
  }
  if (!Array.isArray(options.providers) || options.providers.length === 0) {
    throw new AuthConfigError(
      'providers',
      'must be a non-empty array',
      'List at least one provider: { slug, issuerUrl, clientId, clientSecret }.',
    );
  }
  const providers = options.providers.map((provider, index) => {
    if (!provider || typeof provider !== 'object')
      throw new AuthConfigError(
        `providers[${index}]`,
        'must be an object',
        'Describe the provider with { slug, issuerUrl, clientId, clientSecret }.',
      );
    const slug = typeof provider.slug === 'string' ? provider.slug : '';
    return resolveProvider(provider, (key) => `providers[${index}].${key}`, context, `${context.routePrefix}/callback/${slug}`);
  });
  const seen = new Map<string, number>();
  const issuers = new Map<string, number>();
  providers.forEach((provider, index) => {
    if (seen.has(provider.slug)) {
      throw new AuthConfigError(
        `providers[${index}].slug`,
        `repeats "${provider.slug}" (providers[${seen.get(provider.slug)}])`,
        'Give every provider its own slug.',
      );
    }
    seen.set(provider.slug, index);
    if (issuers.has(provider.tokens.issuer)) {
      throw new AuthConfigError(
        `providers[${index}].issuerUrl`,
        `repeats ${provider.tokens.issuer} (providers[${issuers.get(provider.tokens.issuer)}])`,
        'Tokens are matched to a provider by their "iss": every provider needs its own issuer.',
      );
    }
    issuers.set(provider.tokens.issuer, index);
  });
  return providers;
}

function resolveProvider(
  options: AuthProviderOptions,
  key: (name: string) => string,
  context: ProviderContext,
  callbackPath: string,
): ResolvedProvider {
  const slug = requireString(options.slug, key('slug'), 'Set a URL-safe name such as "authentik" or "keycloak".');
  if (!SLUG_PATTERN.test(slug))
    throw new AuthConfigError(
      key('slug'),
      `is "${slug}"`,
      'Use lower-case letters, digits, "-" and "_" (at most 63), starting with a letter or digit.',
    );
  const name =
    options.name === undefined ? slug : requireString(options.name, key('name'), 'Set the name a login button shows, or leave it unset.');
  const issuer = requireUrl(
    options.issuerUrl,
    key('issuerUrl'),
    'the provider issuer, e.g. https://auth.example.com/application/o/my-app/',
  );
  const allowInsecureRequests = checkTransport(issuer, key('issuerUrl'), options.allowInsecureIssuer === true);
  const loginEnabled = options.login ?? true;
  if (typeof loginEnabled !== 'boolean')
    throw new AuthConfigError(
      key('login'),
      `is ${String(loginEnabled)}`,
      'Use false for a bearer-only issuer (a gateway), or leave it unset.',
    );
  let jwksUrl: URL | undefined;
  if (options.jwksUrl !== undefined) {
    if (loginEnabled)
      throw new AuthConfigError(
        key('jwksUrl'),
        'is set on a provider with logins',
        'A provider with logins publishes its keys in discovery: remove jwksUrl, or set login: false for a bearer-only issuer.',
      );
    jwksUrl = requireUrl(options.jwksUrl, key('jwksUrl'), "the issuer's JWKS URL, e.g. https://gateway.example.com/.well-known/jwks.json");
    checkTransport(jwksUrl, key('jwksUrl'), options.allowInsecureIssuer === true);
  }
  if (options.acceptIdTokens !== undefined && typeof options.acceptIdTokens !== 'boolean') {
    throw new AuthConfigError(key('acceptIdTokens'), `is ${String(options.acceptIdTokens)}`, 'Use true or false.');
  }
  if (options.acceptIdTokens && loginEnabled) {
    throw new AuthConfigError(
      key('acceptIdTokens'),
      'is set on a provider with logins',
      'Only a bearer-only issuer (login: false, e.g. behind oauth2-proxy) may accept ID tokens as bearer tokens.',
    );
  }
  const clientId = loginEnabled
    ? requireString(options.clientId, key('clientId'), 'Set it to the client id registered at the provider.')
    : (optionalString(options.clientId, key('clientId')) ?? '');
  const clientAuthMethod = options.clientAuthMethod ?? 'client_secret_basic';
  if (!CLIENT_AUTH_METHODS.includes(clientAuthMethod)) {
    throw new AuthConfigError(key('clientAuthMethod'), `is "${String(clientAuthMethod)}"`, `Use one of ${CLIENT_AUTH_METHODS.join(', ')}.`);
  }
  const clientSecret = optionalString(options.clientSecret, key('clientSecret'));
  if (loginEnabled && clientAuthMethod !== 'private_key_jwt' && !clientSecret) {
    throw new AuthConfigError(
      key('clientSecret'),
      'is missing',
      `Set the client secret (required by ${clientAuthMethod}), or use clientAuthMethod "private_key_jwt" with clientPrivateKey.`,
    );
  }
  if (
    loginEnabled &&
    clientAuthMethod === 'private_key_jwt' &&
    (!options.clientPrivateKey || typeof options.clientPrivateKey !== 'object' || !options.clientPrivateKey.d)
  ) {
    throw new AuthConfigError(
      key('clientPrivateKey'),
      'must be a private JWK',
      'private_key_jwt needs the private key (a JWK with "d" and "alg") whose public half is registered at the provider.',
    );
  }
  const idTokenAlgorithms = algorithms(options.idTokenAlgorithms, key('idTokenAlgorithms'));
  if (idTokenAlgorithms.some((alg) => alg.startsWith('HS')) && !clientSecret) {
    throw new AuthConfigError(
      key('idTokenAlgorithms'),
      'allows HMAC but there is no clientSecret',
      'HS* ID tokens verify with the client secret only: set clientSecret or remove the HS algorithms.',
    );
  }
  const accessTokenAlgorithms = algorithms(options.accessTokenAlgorithms, key('accessTokenAlgorithms'));
  if (accessTokenAlgorithms.some((alg) => alg.startsWith('HS'))) {
    throw new AuthConfigError(
      key('accessTokenAlgorithms'),
      'allows HMAC',
      "Bearer tokens must be signed with the provider's public-key JWKS: use RS256, PS256, ES256 or EdDSA.",
    );
  }
  const rolesClaim = options.rolesClaim ?? 'roles';
  const rolesPath = rolesClaim.split('.');
  if (rolesPath.some((part) => part.length === 0)) {
    throw new AuthConfigError(key('rolesClaim'), `is "${rolesClaim}"`, 'Use a dot path such as "roles", "groups" or "realm_access.roles".');
  }
  const resource = optionalString(options.resource, key('resource'));
  if (resource !== undefined) checkResourceIndicator(resource, key('resource'));
  const postLogoutRedirectUrl = options.postLogoutRedirectUrl ?? new URL('/', context.baseHref).href;
  requireUrl(postLogoutRedirectUrl, key('postLogoutRedirectUrl'), 'an absolute URL registered at the provider');
  const fetchUserInfo = options.fetchUserInfo ?? 'auto';
  if (fetchUserInfo !== 'auto' && typeof fetchUserInfo !== 'boolean') {
    throw new AuthConfigError(key('fetchUserInfo'), `is ${String(fetchUserInfo)}`, 'Use "auto" (default), true or false.');
  }
  const audienceFix = loginEnabled
    ? 'Set the `aud` your API expects in bearer tokens.'
    : 'A bearer-only issuer has no client id to default to: set the `aud` its tokens carry for this API.';
  return {
    slug,
    name,
    loginEnabled,
    jwksUrl,
    provisioning: resolveProvisioning(options, key),
    tokens: {
      issuer: options.issuerUrl,
      clientId,
      clientSecret,
      audience: requireString(options.audience ?? (clientId || undefined), key('audience'), audienceFix),
      idTokenAlgorithms,
      accessTokenAlgorithms,
      clockToleranceSeconds: context.clockToleranceSeconds,
      rolesPath,
      jwksCooldownMs: context.jwksCooldownMs,
      jwksMaxAgeMs: context.jwksMaxAgeMs,
      jwksStaleIfErrorMs: context.jwksStaleIfErrorMs,
      requireAtJwt: options.requireAtJwt === true,
      acceptIdTokens: options.acceptIdTokens === true,
      allowedClientIds: clientIdList(options.allowedClientIds, key('allowedClientIds')),
      httpTimeoutMs: context.httpTimeoutMs,
    },
    login: {
      issuer: options.issuerUrl,
      allowInsecureRequests,
      clientId,
      clientSecret,
      clientAuthMethod,
      clientPrivateKey: options.clientPrivateKey,
      scope: normaliseScope(options.scope ?? 'openid profile email'),
      resource,
      redirectUri: new URL(callbackPath, context.baseHref).href,
      routesBaseUrl: new URL(`${context.routePrefix}/`, context.baseHref).href,
      appOrigin: context.appOrigin,
      postLogoutRedirectUrl,
      fetchUserInfo,
      httpTimeoutMs: context.httpTimeoutMs,
      loginStateTtlMs: LOGIN_STATE_TTL_MS,
      bindingCookie: loginBindingCookie(context.cookieSecure, LOGIN_STATE_TTL_MS),
    },
  };
}

function resolveProvisioning(options: AuthProvisioningOptions, key: (name: string) => string): ProvisioningSettings {
  const autoProvision = options.autoProvision ?? true;
  if (typeof autoProvision !== 'boolean')
    throw new AuthConfigError(key('autoProvision'), `is ${String(autoProvision)}`, 'Use true (default) or false.');
  const domains = options.adminEmailDomains ?? [];
  if (!Array.isArray(domains))
    throw new AuthConfigError(key('adminEmailDomains'), 'must be an array of domains', 'List domains such as ["example.com"].');
  const adminEmailDomains = new Set<string>();
  domains.forEach((domain: unknown, index) => {
    const normalised = typeof domain === 'string' ? domain.trim().toLowerCase().replace(/^@/, '') : '';
    if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(normalised)) {
      throw new AuthConfigError(
        `${key('adminEmailDomains')}[${index}]`,
        `is "${String(domain)}"`,
        'Use a bare domain such as "example.com".',
      );
    }
    adminEmailDomains.add(normalised);
  });
  return { autoProvision, adminEmailDomains };
}

function requireString(value: unknown, key: string, fix: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AuthConfigError(key, 'is missing or empty', fix);
  return value;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new AuthConfigError(key, `must be a string, got ${typeof value}`, 'Pass a string.');
  return value;
}

function requireUrl(value: unknown, key: string, example: string): URL {
  const text = requireString(value, key, `Set it to ${example}.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AuthConfigError(key, `is not an absolute URL ("${text}")`, `Set it to ${example}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AuthConfigError(key, `has protocol ${url.protocol}`, 'Use an https: URL.');
  }
  if (url.search || url.hash) throw new AuthConfigError(key, 'has a query or fragment', `Set it to ${example}.`);
  return url;
}

/** Plain http only on loopback, or when the host app says so explicitly. Returns "is http". */
function checkTransport(url: URL, key: string, allowInsecure: boolean): boolean {
  if (url.protocol === 'https:') return false;
  if (!LOOPBACK_HOSTS.has(url.hostname) && !allowInsecure) {
    throw new AuthConfigError(
      key,
      `uses plain http on a non-loopback host (${url.host})`,
      'Use https, or set allowInsecureIssuer: true for a test network you control.',
    );
  }
  return true;
}

function algorithms(value: unknown, key: string): string[] {
  if (value === undefined) return ['RS256'];
  if (!Array.isArray(value) || value.length === 0) {
    throw new AuthConfigError(key, 'must be a non-empty array', 'List the algorithms your provider signs with, e.g. ["RS256"].');
  }
  for (const alg of value) {
    if (typeof alg !== 'string' || !KNOWN_ALGORITHMS.has(alg)) {
      throw new AuthConfigError(
        key,
        `contains "${String(alg)}"`,
        `Use JWS algorithms from: ${[...KNOWN_ALGORITHMS].join(', ')} ("none" is never accepted).`,
      );
    }
  }
  return [...(value as string[])];
}

function resolveSessionCache(cache: unknown): SessionSettings['cache'] {
  if (cache === false) return null;
  if (cache !== undefined && (cache === null || typeof cache !== 'object')) {
    throw new AuthConfigError('session.cache', `is ${describeValue(cache)}`, 'Use false, or an object with maxEntries and ttlSeconds.');
  }
  const options = (cache ?? {}) as { maxEntries?: unknown; ttlSeconds?: unknown };
  return {
    maxEntries: wholeNumberOption(options.maxEntries, 10_000, 1, 10_000_000, 'session.cache.maxEntries'),
    ttlMs: wholeNumberOption(options.ttlSeconds, 10, 1, 3600, 'session.cache.ttlSeconds') * 1000,
  };
}

function resolveSessionStore(store: unknown): SessionStoreSettings {
  if (store === undefined) return { type: 'postgres' };
  const options = (store ?? {}) as { type?: unknown; url?: unknown; client?: unknown; keyPrefix?: unknown };
  if (options.type === 'postgres') return { type: 'postgres' };
  if (options.type !== 'redis') {
    throw new AuthConfigError('session.store.type', `is ${JSON.stringify(options.type)}`, 'Use "postgres" (default) or "redis".');
  }
  const keyPrefix = options.keyPrefix ?? 'nestflux:auth:';
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 100) {
    throw new AuthConfigError('session.store.keyPrefix', 'must be a string of at most 100 characters', 'Use e.g. "myapp:auth:".');
  }
  const client = options.client as { duplicate?: unknown; quit?: unknown } | undefined;
  if (client !== undefined) {
    if (options.url !== undefined) throw new AuthConfigError('session.store', 'has both url and client', 'Give one of them.');
    if (client === null || typeof client.duplicate !== 'function' || typeof client.quit !== 'function') {
      throw new AuthConfigError(
        'session.store.client',
        'is not an ioredis client',
        'Pass `new Redis(...)` from the ioredis package, or a url instead.',
      );
    }
    return { type: 'redis', client: options.client as RedisClientInstance, keyPrefix };
  }
  if (typeof options.url !== 'string' || !/^rediss?:\/\/[^/]/.test(options.url)) {
    throw new AuthConfigError(
      'session.store.url',
      'must be a redis:// or rediss:// URL',
      'Use e.g. "redis://127.0.0.1:6379" ("rediss://" for TLS), or pass an ioredis client.',
    );
  }
  return { type: 'redis', url: options.url, keyPrefix };
}

function frontchannelLogoutSettings(value: unknown): FrontchannelLogoutSettings | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return { sessionRequired: true };
  const sessionRequired = typeof value === 'object' ? ((value as { sessionRequired?: unknown }).sessionRequired ?? true) : undefined;
  if (typeof sessionRequired !== 'boolean')
    throw new AuthConfigError(
      'frontchannelLogout',
      'must be true or { sessionRequired: boolean }',
      'Turn it on with true (the provider sends iss and sid), or leave it unset.',
    );
  return { sessionRequired };
}

function tokenRelaySettings(value: unknown, routePrefix: string): TokenRelaySettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object')
    throw new AuthConfigError(
      'tokenRelay',
      'must be an object',
      'Pass { path: "/backend", upstream: "https://api.internal" }, or leave it unset.',
    );
  const options = value as { path?: unknown; upstream?: unknown; allowInsecureUpstream?: unknown; timeoutMs?: unknown };
  const path = typeof options.path === 'string' ? options.path.replace(/\/+$/, '') : '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
    throw new AuthConfigError(
      'tokenRelay.path',
      `is "${String(options.path)}"`,
      'Use a plain path prefix such as "/backend" (no wildcards: everything below it is relayed).',
    );
  }
  if (path === `/${routePrefix}` || path.startsWith(`/${routePrefix}/`)) {
    throw new AuthConfigError('tokenRelay.path', `is "${path}", inside the login routes`, `Use a path outside /${routePrefix}.`);
  }
  const upstream = requireUrl(
    options.upstream,
    'tokenRelay.upstream',
    'the base URL of the API the relay calls, e.g. https://api.internal/v1',
  );
  if (upstream.protocol === 'http:' && !LOOPBACK_HOSTS.has(upstream.hostname) && options.allowInsecureUpstream !== true) {
    throw new AuthConfigError(
      'tokenRelay.upstream',
      `uses plain http on a non-loopback host (${upstream.host}): access tokens would cross the network in clear`,
      'Use https, or set tokenRelay.allowInsecureUpstream: true for a private network you trust.',
    );
  }
  return { path, upstream: upstream.href, timeoutMs: wholeNumberOption(options.timeoutMs, 30_000, 100, 600_000, 'tokenRelay.timeoutMs') };
}

function enforceSettings(value: unknown, routePrefix: string): EnforceSettings | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value !== 'object')
    throw new AuthConfigError(
      'enforce',
      'must be an object',
      'Pass { exclude: ["/health", "/static/**"] } to turn enforce mode on, or leave it unset.',
    );
  const exclude = (value as { exclude?: unknown }).exclude ?? [];
  if (!Array.isArray(exclude))
    throw new AuthConfigError('enforce.exclude', 'must be an array of paths', 'List paths or globs such as "/health" and "/static/**".');
  exclude.forEach((pattern: unknown, index) => {
    const problem = pathPatternProblem(pattern);
    if (problem)
      throw new AuthConfigError(
        `enforce.exclude[${index}]`,
        `is "${String(pattern)}": it ${problem}`,
        'Use a path such as "/health" or a glob such as "/static/**".',
      );
  });
  return { isExcluded: compilePathExclusions(exclude as string[]), loginPath: `/${routePrefix}/login` };
}

function introspectionSettings(value: unknown, allowHttp: boolean): IntrospectionSettings | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value !== true && typeof value !== 'object')
    throw new AuthConfigError(
      'introspection',
      `is ${describeValue(value)}`,
      'Use true, or { endpoint, cacheSeconds, negativeCacheSeconds }.',
    );
  const options = (value === true ? {} : value) as { endpoint?: unknown; cacheSeconds?: unknown; negativeCacheSeconds?: unknown };
  let endpoint: string | undefined;
  if (options.endpoint !== undefined) {
    const url = requireUrl(
      options.endpoint,
      'introspection.endpoint',
      "the provider's RFC 7662 endpoint, e.g. https://auth.example.com/oauth/introspect",
    );
    checkTransport(url, 'introspection.endpoint', allowHttp);
    endpoint = url.href;
  }
  return {
    endpoint,
    maxCacheMs: wholeNumberOption(options.cacheSeconds, 60, 1, 300, 'introspection.cacheSeconds') * 1000,
    negativeCacheMs: wholeNumberOption(options.negativeCacheSeconds, 2, 0, 5, 'introspection.negativeCacheSeconds') * 1000,
  };
}

function deviceFlowSettings(value: unknown, login: Omit<DeviceFlowSettings, 'clientId'>): DeviceFlowSettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object')
    throw new AuthConfigError(
      'deviceFlow',
      'must be an object',
      'Pass { clientId: "<the public CLI client>" } to offer the device grant, or leave it unset.',
    );
  const options = value as { clientId?: unknown; scope?: unknown };
  const clientId = requireString(
    options.clientId,
    'deviceFlow.clientId',
    'Register a public client (no secret) for the device grant at the provider and set its id.',
  );
  const scope = optionalString(options.scope, 'deviceFlow.scope');
  return { ...login, clientId, scope: scope ? normaliseScope(scope) : login.scope };
}

function clientIdList(value: unknown, key: string): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((id) => typeof id !== 'string' || id === '')) {
    throw new AuthConfigError(
      key,
      'must be a non-empty array of client ids',
      'List the clients whose access tokens this API accepts, or leave it unset to accept any client.',
    );
  }
  return new Set(value as string[]);
}

function normaliseScope(scope: string): string {
  const scopes = scope.split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) scopes.unshift('openid');
  return [...new Set(scopes)].join(' ');
}

/** `/auth/` → `auth`; rejects anything that is not a plain path. */
export function normaliseRoutePrefix(value: unknown): string {
  const prefix = typeof value === 'string' ? value.replace(/^\/+|\/+$/g, '') : '';
  if (!/^[A-Za-z0-9._~\-/]+$/.test(prefix)) {
    throw new AuthConfigError('routePrefix', `is "${String(value)}"`, 'Use a plain path such as "auth".');
  }
  return prefix;
}

/** RFC 8707 §2: an absolute URI (any scheme, e.g. https: or urn:) without a fragment. */
function checkResourceIndicator(resource: string, key: string): void {
  let url: URL | undefined;
  try {
    url = new URL(resource);
  } catch {
    url = undefined;
  }
  if (!url || url.hash || resource.includes('#')) {
    throw new AuthConfigError(
      key,
      `is not an absolute URI without fragment ("${resource}")`,
      'Use the API identifier your provider knows, e.g. https://api.example.com.',
    );
  }
}
