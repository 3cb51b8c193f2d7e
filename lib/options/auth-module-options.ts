import type { JWK } from 'jose';
import type { AuthAuditOptions } from '../audit/audit.options.js';
import type { RateLimitStorage } from '../rate-limit/rate-limit.storage.js';
import type { UserSyncOptions } from '../sync/user-sync.options.js';
import type { AfterLoginHook, ClaimsMapper } from '../users/claims-mapper.interface.js';

/** How the app authenticates to the provider's token endpoint. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** The session cookie. */
export interface AuthCookieOptions {
  /**
   * Cookie name. Default `__Host-nestflux.sid` when the cookie is `Secure`, host-only (no
   * `domain`) and on path `/` (the prefix stops cookie tossing), else `nestflux.sid`. A `__Host-`
   * or `__Secure-` name whose attributes contradict its prefix fails at boot.
   */
  name?: string;
  /** `Secure` attribute. Default: true when `baseUrl` is https. */
  secure?: boolean;
  /** `SameSite`. Default `lax` (the callback is a top-level cross-site GET). */
  sameSite?: 'lax' | 'strict';
  /** `Domain` attribute. Default: unset (host-only cookie). */
  domain?: string;
  /** `Path` attribute. Default `/`. */
  path?: string;
}

/** Server-side sessions. */
export interface AuthSessionOptions {
  /**
   * Secret of at least 32 characters. Keys the session-id hashing and the encryption of the
   * provider tokens kept in the session (AES-256-GCM). Required.
   */
  secret: string;
  /** A session unused this long ends. Default 1800 (30 min). */
  idleTimeoutSeconds?: number;
  /** A session ends this long after login whatever its use. Default 28800 (8 h). */
  absoluteTimeoutSeconds?: number;
  /**
   * In-process cache of live sessions, so a known cookie costs no database round trip. Entries
   * are dropped on every replica as soon as PostgreSQL reports that the session ended or changed
   * or its user changed (LISTEN/NOTIFY on one extra connection per instance). While that
   * connection is down, and on a one-connection pool (embedded PGlite), nothing is served from
   * the cache. `false` turns it off. Default: on.
   */
  cache?: false | AuthSessionCacheOptions;
  /**
   * Where sessions live. Default `{ type: 'postgres' }` (the `auth_sessions` table). With
   * `{ type: 'redis', url }` (or `client`) sessions live in Redis, expiring by TTL, and replicas
   * drop ended sessions from their caches through Redis pub/sub; users, identities and the rest
   * stay in PostgreSQL. Needs the `ioredis` package (an optional peer dependency).
   */
  store?: AuthSessionStoreOptions;
}

/** The session store (see `AuthSessionOptions.store`). */
export type AuthSessionStoreOptions = { type: 'postgres' } | AuthRedisSessionStoreOptions;

/** Sessions in Redis. Give `url` or `client`. */
export interface AuthRedisSessionStoreOptions {
  type: 'redis';
  /** `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. */
  url?: string;
  /**
   * An ioredis `Redis` instance of the host's own (Sentinel, TLS options…). The module uses it
   * and a duplicate of it for pub/sub, and does not close it. Redis Cluster is not supported.
   */
  client?: RedisClientInstance;
  /** Prefix of every key and of the pub/sub channel, so that several apps can share a Redis. Default `nestflux:auth:`. */
  keyPrefix?: string;
}

/** An ioredis `Redis` instance, typed loosely so that hosts without ioredis can still compile. */
export interface RedisClientInstance {
  duplicate(override?: object): unknown;
  quit(): Promise<unknown>;
}

/** The session cache (see `AuthSessionOptions.cache`). */
export interface AuthSessionCacheOptions {
  /** Sessions kept at most; the oldest entry makes room. Default 10000. */
  maxEntries?: number;
  /** Safety net: an entry is re-read after this long even if no change was reported. Default 10. */
  ttlSeconds?: number;
}

/** Database integration. */
export interface AuthDatabaseOptions {
  /** Run the library's migrations at boot (tracked in `auth_schema_migrations`). Default true. */
  runMigrations?: boolean;
}

/** Rate limit of the login and callback routes (the host's other routes are never limited). */
export interface AuthRateLimitOptions {
  /** Requests per client IP and route within `windowSeconds`; more get `429` with `Retry-After`. Default 20. */
  limit?: number;
  /** The window, in seconds. Default 60. */
  windowSeconds?: number;
  /**
   * Proxies whose `X-Forwarded-For` is believed: addresses, CIDR ranges, or `loopback`,
   * `linklocal`, `uniquelocal`. Default none: the TCP peer is the client, whatever the header says.
   */
  trustedProxies?: string[];
  /** Where hits are counted. Default: in memory, per instance (at most 100 000 addresses). */
  storage?: RateLimitStorage;
}

/** Enforce mode (as a zero-trust proxy has it): every route needs a user. */
export interface AuthEnforceOptions {
  /**
   * Paths left open to anonymous requests: exact (`/health`) or globs (`/static/**`; `*` is one
   * segment, `**` any depth). Default none. `@Public()` handlers stay open too.
   */
  exclude?: string[];
}

/**
 * The device authorization grant (RFC 8628) for command-line clients: `GET <prefix>/device/config`
 * tells a CLI which provider, client and endpoints to use, so nothing is hard-coded in it.
 */
export interface AuthDeviceFlowOptions {
  /**
   * The public client (no secret: a CLI cannot keep one) registered at the provider for the
   * device grant. Its access tokens are bearer tokens like any other (same `aud` rule); when
   * `allowedClientIds` is set, this client is added to it. Required.
   */
  clientId: string;
  /** Scopes the CLI asks for. Default: the login `scope` (add `offline_access` where the provider wants it for refresh tokens). */
  scope?: string;
}

/**
 * RFC 7662 token introspection, for providers that issue opaque (non-JWT) access tokens. A bearer
 * token that is not a JWT is sent to the provider's introspection endpoint with this app's client
 * credentials; JWTs are still verified locally.
 */
export interface AuthIntrospectionOptions {
  /** The introspection endpoint. Default: `introspection_endpoint` of the discovery document. */
  endpoint?: string;
  /** An active answer is reused this long at most (and never past the token's `exp`). Default 60 (1..300). */
  cacheSeconds?: number;
  /** An inactive answer is reused this long (a token cannot come back to life). Default 2 (0..5). */
  negativeCacheSeconds?: number;
}

/**
 * Token relay (backend-for-frontend): requests under `path` are forwarded to `upstream` with the
 * session's access token as a bearer token, cookies and the CSRF header removed.
 */
export interface AuthTokenRelayOptions {
  /** The local path prefix, e.g. `/backend`: `/backend/items?x=1` → `<upstream>/items?x=1`. Required. */
  path: string;
  /** The API's base URL (`https://api.internal/v1`). Plain http only on loopback unless `allowInsecureUpstream`. Required. */
  upstream: string;
  /** Accept a plain-http upstream on a non-loopback host (a private network you trust). Default false. */
  allowInsecureUpstream?: boolean;
  /** Timeout of an upstream request, in ms. Default 30000. */
  timeoutMs?: number;
}

/** OpenID Connect Front-Channel Logout 1.0: the provider loads `<prefix>/frontchannel-logout` in an iframe. */
export interface AuthFrontchannelLogoutOptions {
  /**
   * The provider sends `iss` and `sid` (`frontchannel_logout_session_required` at its client
   * registration), and requests without them are refused. Default true: a cross-site iframe gets
   * no `SameSite=Lax` cookie, so without `sid` there is no telling which session to end. False:
   * without them, the session of the cookie (if the browser sent it) ends.
   */
  sessionRequired?: boolean;
}

/**
 * How the ID token's profile claims are completed from the userinfo endpoint (OIDC Core §5.3):
 * `'auto'` reads userinfo only when the provider has one and the ID token lacks the claims the
 * mapping needs (an email when `email` is requested, a name when `profile` is); the ID token's
 * claims win. `true` always reads it (its claims win), `false` never does. Userinfo's `sub` must
 * be the ID token's, or the login fails.
 */
export type FetchUserInfoMode = boolean | 'auto';

/** Who may sign in through a provider (see README "Provisioning"). */
export interface AuthProvisioningOptions {
  /**
   * Create a local user at the first login of an unknown identity. `false`: only users who
   * already exist (an identity of theirs signed in before, or `UserAccountsService.invite(email)`
   * pre-created them) may sign in; anyone else gets `403 AUTH_NOT_PROVISIONED`. Default true.
   */
  autoProvision?: boolean;
  /**
   * A user created at first login whose email is verified (`email_verified: true`) and in one of
   * these domains (case-insensitive, exact domain) gets the role `admin`, once, when created.
   * Default none.
   */
  adminEmailDomains?: string[];
}

/**
 * One identity provider among several (`AuthModuleOptions.providers`). Its keys mean what the
 * single-provider keys of `AuthModuleOptions` mean, for this provider only.
 */
export interface AuthProviderOptions extends AuthProvisioningOptions {
  /** URL-safe name in the routes: `/auth/login/<slug>`, `/auth/callback/<slug>`. Required, unique. */
  slug: string;
  /** What a login button shows (`GET /auth/providers`). Default: the slug. */
  name?: string;
  /** The issuer (`iss` of its tokens). Required, unique among the providers. */
  issuerUrl: string;
  /**
   * `false`: a trusted issuer of bearer tokens only (an API gateway or login proxy minting JWTs):
   * no login routes, no client. Default true.
   */
  login?: boolean;
  /**
   * The issuer's JWKS, for an issuer without discovery (a gateway such as Oathkeeper). Only with
   * `login: false`. Default: `jwks_uri` from the issuer's discovery document.
   */
  jwksUrl?: string;
  /**
   * Bearer-only issuers: also accept ID tokens as bearer tokens (a login proxy such as
   * oauth2-proxy with `pass_authorization_header` forwards the ID token it got, whose `aud` is
   * the proxy's client id). Only with `login: false`. Default false: a token carrying a `nonce`
   * is an ID token and never a bearer token.
   */
  acceptIdTokens?: boolean;
  /** The OAuth client id. Required unless `login: false`. */
  clientId?: string;
  clientSecret?: string;
  clientAuthMethod?: ClientAuthMethod;
  clientPrivateKey?: JWK;
  /** Default `openid profile email`. */
  scope?: string;
  resource?: string;
  /** Required `aud` of this issuer's bearer tokens. Default: `clientId` (required with `login: false`). */
  audience?: string;
  /** Default `['RS256']`. */
  idTokenAlgorithms?: string[];
  /** Default `['RS256']`. */
  accessTokenAlgorithms?: string[];
  /** Default `roles`. */
  rolesClaim?: string;
  /** Default `'auto'`. */
  fetchUserInfo?: FetchUserInfoMode;
  /** Default false. */
  allowInsecureIssuer?: boolean;
  /** Default `<baseUrl>/`. */
  postLogoutRedirectUrl?: string;
  /** Default false. */
  requireAtJwt?: boolean;
  /** Default: any client. */
  allowedClientIds?: string[];
}

/** Everything `AuthModule.forRoot` / `forRootAsync` accepts. */
export interface AuthModuleOptions extends AuthProvisioningOptions {
  /**
   * Several providers, in the order the login page lists them; the first is the default (the
   * unslugged `/auth/login` and `/auth/callback` use it). Each provider's redirect URI is
   * `<baseUrl>/<routePrefix>/callback/<slug>`. Instead of the single-provider keys below
   * (`issuerUrl`, `clientId`, …, which then must be unset). Default: the single provider.
   */
  providers?: AuthProviderOptions[];
  /** Single provider: its slug in `GET /auth/providers` and `/auth/login/<slug>`. Default `default`. */
  providerSlug?: string;
  /** Single provider: its display name. Default: the issuer's host. */
  providerName?: string;
  /** The provider's issuer; discovery at `<issuerUrl>/.well-known/openid-configuration`. Required unless `providers`. */
  issuerUrl?: string;
  /** The OAuth client id registered at the provider. Required unless `providers`. */
  clientId?: string;
  /** The client secret; required unless `clientAuthMethod` is `private_key_jwt`. */
  clientSecret?: string;
  /** Token-endpoint client authentication. Default `client_secret_basic`. */
  clientAuthMethod?: ClientAuthMethod;
  /** Private JWK (with `alg`) signing the client assertion, for `private_key_jwt`. */
  clientPrivateKey?: JWK;
  /** Public URL of the app; the redirect URI is `<baseUrl>/<routePrefix>/callback`. Required. */
  baseUrl: string;
  /** Scopes requested at login. Default `openid profile email`. */
  scope?: string;
  /** RFC 8707 resource indicator sent on authorization and token requests. Default: none. */
  resource?: string;
  /** Required `aud` of bearer access tokens. Default: `clientId`. */
  audience?: string;
  /** Accepted ID-token algorithms. Default `['RS256']`. HS* verify with the client secret only. */
  idTokenAlgorithms?: string[];
  /** Accepted access-token algorithms. Default `['RS256']`. */
  accessTokenAlgorithms?: string[];
  /** Clock skew tolerated on `exp`, `nbf` and future `iat`, in seconds (0..300). Default 60. */
  clockToleranceSeconds?: number;
  /** Dot path of the roles array in token claims (`realm_access.roles`, `groups`). Default `roles`. */
  rolesClaim?: string;
  /** Reading the userinfo endpoint at login and refresh (see `FetchUserInfoMode`). Default `'auto'`. */
  fetchUserInfo?: FetchUserInfoMode;
  /** Accept a plain-http issuer that is not on loopback. Default false; never do this in production. */
  allowInsecureIssuer?: boolean;
  /** Where the provider sends the browser after RP-initiated logout. Default `<baseUrl>/`. */
  postLogoutRedirectUrl?: string;
  /** The session cookie. */
  cookie?: AuthCookieOptions;
  /** Server-side sessions. Required for its `secret`. */
  session: AuthSessionOptions;
  /** Database integration. */
  database?: AuthDatabaseOptions;
  /**
   * Minimum seconds between two JWKS fetches, successful or failed (an unknown `kid` triggers
   * one). Default 30 (1..60).
   */
  jwksCooldownSeconds?: number;
  /**
   * The provider's signing keys are re-read when older than this many seconds, so a key the
   * provider withdrew stops verifying within it. Default 600 (1..86400).
   */
  jwksMaxAgeSeconds?: number;
  /**
   * While the provider cannot be reached, keys older than `jwksMaxAgeSeconds` keep verifying for
   * at most this many seconds more (stale-if-error); then bearer requests get 503. Default 86400
   * (0..604800; 0 turns it off).
   */
  jwksStaleIfErrorSeconds?: number;
  /**
   * Accept only RFC 9068 access tokens (`typ: at+jwt`) as bearer tokens. Default false: the plain
   * `JWT` of Keycloak and Authentik (or no `typ`) is accepted too.
   */
  requireAtJwt?: boolean;
  /**
   * Bearer tokens must have been issued to one of these clients: their `client_id` (RFC 9068
   * §2.2), or `azp` when there is no `client_id`. Default: any client of the provider whose
   * token carries the right `aud`.
   */
  allowedClientIds?: string[];
  /** Rate limit of the login and callback routes. Default 20 per 60 s per client IP and route. */
  rateLimit?: AuthRateLimitOptions;
  /** Timeout of every HTTP request to the provider, in ms. Default 5000. */
  httpTimeoutMs?: number;
  /** Maps claims to extra user columns or overrides the defaults. Default: the built-in mapping. */
  claimsMapper?: ClaimsMapper;
  /** Runs after each login's user upsert, to fill the host's own columns. Default: none. */
  afterLogin?: AfterLoginHook;
  /**
   * Enforce mode: every route behind the (global) guard needs a user except `enforce.exclude`
   * and `@Public()` handlers; an anonymous browser request (`Accept: text/html`, GET/HEAD) is
   * redirected to the login with `returnTo`, any other gets 401 JSON. Default: off (routes need
   * a user all the same unless `@Public()`, and anonymous requests get 401 JSON).
   */
  enforce?: AuthEnforceOptions;
  /** The scheduled user-metadata sync. Default: off (no source). */
  sync?: UserSyncOptions;
  /** The audit log (`auth_audit_log`). Default: on, 90 days' retention, purged daily at 04:30 UTC. */
  audit?: AuthAuditOptions;
  /**
   * Introspect opaque bearer tokens (RFC 7662): `true` for the discovered endpoint and the
   * default caching, or the details. Default: off (a bearer token must be a JWT).
   */
  introspection?: boolean | AuthIntrospectionOptions;
  /**
   * Front-channel logout at `GET <prefix>/frontchannel-logout`, beside back-channel logout:
   * `true` or the details. Default: off (the route answers 404).
   */
  frontchannelLogout?: boolean | AuthFrontchannelLogoutOptions;
  /** Token relay to an upstream API (backend-for-frontend). Default: off. */
  tokenRelay?: AuthTokenRelayOptions;
  /** Device authorization grant for CLIs. Default: off (`GET <prefix>/device/config` answers 404). */
  deviceFlow?: AuthDeviceFlowOptions;
}

/** Options that shape the module itself rather than its behaviour (`forRoot({..., isGlobal})`). */
export interface AuthModuleExtras {
  /** Register the module globally. Default true. */
  isGlobal?: boolean;
  /** Path prefix of the login routes (`/auth/login`, `/auth/callback`, …). Default `auth`. */
  routePrefix?: string;
  /** Register `AuthGuard` as a global guard: every route needs a user unless `@Public()`. Default true. */
  globalGuard?: boolean;
}
