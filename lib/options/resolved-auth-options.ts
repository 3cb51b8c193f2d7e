import type { RedisClientInstance } from './auth-module-options.js';
import type { JWK } from 'jose';
import type { AuditSettings } from '../audit/audit.options.js';
import type { UserSyncOptions } from '../sync/user-sync.options.js';
import type { AfterLoginHook, ClaimsMapper } from '../users/claims-mapper.interface.js';
import type { ClientAuthMethod, FetchUserInfoMode } from './auth-module-options.js';
import type { LoginBindingCookie } from '../login/login-binding.js';
import type { RateLimitStorage } from '../rate-limit/rate-limit.storage.js';
import type { TrustedProxies } from '../rate-limit/client-address.js';

/** What token verification needs: injected by the verifiers and the guard. */
export interface TokenSettings {
  issuer: string;
  clientId: string;
  /** Only for HS* ID tokens, which verify with the client secret and nothing else. */
  clientSecret: string | undefined;
  audience: string;
  idTokenAlgorithms: readonly string[];
  accessTokenAlgorithms: readonly string[];
  clockToleranceSeconds: number;
  /** `rolesClaim` split once at boot: `realm_access.roles` → `['realm_access', 'roles']`. */
  rolesPath: readonly string[];
  jwksCooldownMs: number;
  jwksMaxAgeMs: number;
  jwksStaleIfErrorMs: number;
  /** Only `typ: at+jwt` bearer tokens. */
  requireAtJwt: boolean;
  /** A bearer-only issuer whose ID tokens are bearer tokens (a login proxy forwards them). */
  acceptIdTokens: boolean;
  /** `client_id` / `azp` values accepted in bearer tokens; undefined: any. */
  allowedClientIds: ReadonlySet<string> | undefined;
  httpTimeoutMs: number;
}

export interface CookieSettings {
  name: string;
  secure: boolean;
  sameSite: 'lax' | 'strict';
  domain: string | undefined;
  path: string;
}

export interface SessionSettings {
  secret: string;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  cookie: CookieSettings;
  /** Null: no session cache. */
  cache: { maxEntries: number; ttlMs: number } | null;
  store: SessionStoreSettings;
}

export type SessionStoreSettings =
  | { type: 'postgres' }
  | { type: 'redis'; url: string; client?: undefined; keyPrefix: string }
  | { type: 'redis'; url?: undefined; client: RedisClientInstance; keyPrefix: string };

/** What the login flow and the provider client need. */
export interface LoginSettings {
  issuer: string;
  /** http issuer accepted (loopback or explicitly allowed): openid-client must be told. */
  allowInsecureRequests: boolean;
  clientId: string;
  clientSecret: string | undefined;
  clientAuthMethod: ClientAuthMethod;
  clientPrivateKey: JWK | undefined;
  scope: string;
  resource: string | undefined;
  redirectUri: string;
  /** `<baseUrl>/<routePrefix>/`: the library's routes are relative to it. */
  routesBaseUrl: string;
  /** Origin of `baseUrl`: `returnTo` and `Origin` checks compare against it. */
  appOrigin: string;
  postLogoutRedirectUrl: string;
  fetchUserInfo: FetchUserInfoMode;
  httpTimeoutMs: number;
  loginStateTtlMs: number;
  /** The cookie that binds a login to the browser that started it. */
  bindingCookie: LoginBindingCookie;
}

/** The login routes' rate limit, per client IP and route. */
export interface RateLimitSettings {
  limit: number;
  windowMs: number;
  trustedProxies: TrustedProxies;
  storage: RateLimitStorage;
}

/** Enforce mode, resolved. */
export interface EnforceSettings {
  /** True when the request path (with its query) is excluded. */
  isExcluded(url: string): boolean;
  /** The login route (`/auth/login`). */
  loginPath: string;
}

/** The device authorization grant, resolved: what `GET <prefix>/device/config` hands a CLI. */
export interface DeviceFlowSettings {
  issuer: string;
  clientId: string;
  scope: string;
  audience: string;
  /** RFC 8707 resource indicator the CLI sends, when the login sends one. */
  resource: string | undefined;
}

/** RFC 7662 introspection of opaque bearer tokens, resolved. */
export interface IntrospectionSettings {
  /** Undefined: the discovered `introspection_endpoint`. */
  endpoint: string | undefined;
  maxCacheMs: number;
  negativeCacheMs: number;
}

/** Token relay, resolved. */
export interface TokenRelaySettings {
  /** `/backend`: no trailing slash. */
  path: string;
  upstream: string;
  timeoutMs: number;
}

/** Front-channel logout, resolved. */
export interface FrontchannelLogoutSettings {
  sessionRequired: boolean;
}

/** Who may sign in through a provider, resolved. */
export interface ProvisioningSettings {
  autoProvision: boolean;
  /** Lower-cased domains whose verified emails make a new user an admin. */
  adminEmailDomains: ReadonlySet<string>;
}

/** One configured provider (or bearer-only trusted issuer), resolved. */
export interface ResolvedProvider {
  slug: string;
  name: string;
  /** False: bearer tokens only (a gateway), no login routes. */
  loginEnabled: boolean;
  /** An explicit JWKS URL: the issuer has no discovery (only when `loginEnabled` is false). */
  jwksUrl: URL | undefined;
  tokens: TokenSettings;
  login: LoginSettings;
  provisioning: ProvisioningSettings;
}

/** The options after validation and defaults: one object, sliced by derived providers. */
export interface ResolvedAuthOptions {
  routePrefix: string;
  /** Every provider in configuration order; the first is the default. */
  providers: readonly ResolvedProvider[];
  /** The default provider's token settings (`providers[0].tokens`). */
  tokens: TokenSettings;
  session: SessionSettings;
  /** The default provider's login settings (`providers[0].login`); its app-wide fields hold for all. */
  login: LoginSettings;
  rateLimit: RateLimitSettings;
  runMigrations: boolean;
  claimsMapper: ClaimsMapper | undefined;
  afterLogin: AfterLoginHook | undefined;
  sync: UserSyncOptions | undefined;
  enforce: EnforceSettings | undefined;
  audit: AuditSettings;
  deviceFlow: DeviceFlowSettings | undefined;
  introspection: IntrospectionSettings | undefined;
  tokenRelay: TokenRelaySettings | undefined;
  frontchannelLogout: FrontchannelLogoutSettings | undefined;
}
