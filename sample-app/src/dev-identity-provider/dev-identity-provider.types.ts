import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';

/** A statically registered relying party of the development identity provider. */
export interface DevClient {
  clientId: string;
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** Public keys for `private_key_jwt`. */
  jwks?: { keys: JWK[] };
  /** Where the client publishes its public keys, for `private_key_jwt` (instead of `jwks`). */
  jwksUri?: string;
  backchannelLogoutUri?: string;
  /** Logout tokens (and ID tokens) carry `sid`. Default true when `backchannelLogoutUri` is set. */
  backchannelLogoutSessionRequired?: boolean;
  /**
   * A public client (no secret) for the device authorization grant (RFC 8628), as a CLI uses:
   * grant types `device_code` and `refresh_token`, no redirect URIs. Default false.
   */
  deviceFlow?: boolean;
}

export interface DevIdentityProviderOptions {
  /** e.g. `http://localhost:3000/oidc` (mounted) or `http://127.0.0.1:PORT` (standalone). */
  issuer: string;
  clients: DevClient[];
  /** `aud` of the JWT access tokens (the sample app uses the client id). */
  accessTokenAudience: string;
  /** RS256 private JWK with a `kid`; generated when absent. */
  signingKey?: JWK;
  /** Tests: a `login_hint` on the authorization request signs that user in at once. Default false. */
  autoLoginHint?: boolean;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Every refresh spends the refresh token and issues a new one (reuse revokes the grant). Default false. */
  rotateRefreshToken?: boolean;
  /** Tests: opaque access tokens (for RFC 7662 introspection, served at `/token/introspection`) instead of JWTs. Default false. */
  opaqueAccessTokens?: boolean;
  /**
   * Tests: profile and email claims only at userinfo (OIDC Core §5.4, as LemonLDAP::NG does):
   * ID tokens carry `sub` and the protocol claims, access tokens no profile claims. Default false.
   */
  profileClaimsOnlyInUserinfo?: boolean;
}

export interface DevIdentityProvider {
  provider: Provider;
  /** Plain node handler; works standalone and mounted (`app.use('/oidc', handler)`). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  issuer: string;
  publicJwks: { keys: JWK[] };
}

export interface StandaloneDevIdentityProvider extends DevIdentityProvider {
  url: string;
  close(): Promise<void>;
}

export type StandaloneDevIdentityProviderOptions = Omit<DevIdentityProviderOptions, 'issuer'> & {
  port?: number;
  host?: string;
};
