import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';

import { devAccountClaims, findDevAccount } from './dev-accounts.js';
import {
  deviceSuccessSource,
  logoutSource,
  postLogoutSuccessSource,
  renderError,
  userCodeConfirmSource,
  userCodeInputSource,
} from './dev-pages.js';
import { loadAutoGrant } from './auto-grant.js';
import { SCOPE_CLAIMS } from './jwt-userinfo.js';
import { DEV_ACR_VALUES, devInteractionPolicy } from './dev-acr.js';
import type { DevClient, DevIdentityProviderOptions } from './dev-identity-provider.types.js';

/**
 * The resource indicator used when a client sends no `resource`: with it every code flow yields a
 * JWT access token (oidc-provider issues JWTs only for a resource server).
 */
export const DEV_RESOURCE_INDICATOR = 'urn:nestflux:dev-identity-provider:api';

const OIDC_SCOPES = 'openid profile email';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function clientMetadata(client: DevClient): ClientMetadata {
  if (client.deviceFlow) {
    return {
      client_id: client.clientId,
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      id_token_signed_response_alg: 'RS256',
    };
  }
  const metadata: ClientMetadata = {
    client_id: client.clientId,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
    // ID tokens always say when the user authenticated: step-up (max_age) needs it.
    require_auth_time: true,
  };
  if (client.clientSecret !== undefined) metadata.client_secret = client.clientSecret;
  if (client.jwks !== undefined) metadata.jwks = client.jwks;
  if (client.jwksUri !== undefined) metadata.jwks_uri = client.jwksUri;
  if (client.backchannelLogoutUri !== undefined) {
    metadata.backchannel_logout_uri = client.backchannelLogoutUri;
    metadata.backchannel_logout_session_required = client.backchannelLogoutSessionRequired ?? true;
  }
  return metadata;
}

/** `/interaction/:uid` below the issuer's path, so the interaction cookie path matches when mounted. */
export function issuerMountPath(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/+$/, '');
}

/** The oidc-provider configuration of the development identity provider. */
export function buildProviderConfiguration(options: DevIdentityProviderOptions, signingKey: JWK): Configuration {
  const accessTokenTTL = options.accessTokenTtlSeconds ?? 3600;
  const mountPath = issuerMountPath(options.issuer);
  return {
    clients: options.clients.map(clientMetadata),
    jwks: { keys: [signingKey] },
    findAccount: findDevAccount,
    // Random per process: sign-in sessions do not survive a restart, which is fine for development.
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // Distinct names: when mounted into the host app, its own cookies live on the same origin.
      names: { session: 'dev_idp_session', interaction: 'dev_idp_interaction', resume: 'dev_idp_resume' },
    },
    // `acr` and `amr` are no scope claims: listed so that ID tokens carry the level and methods of the sign-in.
    claims: { ...SCOPE_CLAIMS, openid: [...SCOPE_CLAIMS.openid, 'acr', 'amr'] },
    // Otherwise oidc-provider moves scope claims out of the ID token into userinfo only (which
    // is what `profileClaimsOnlyInUserinfo` wants).
    conformIdTokenClaims: options.profileClaimsOnlyInUserinfo === true,
    pkce: { required: () => true },
    acrValues: DEV_ACR_VALUES,
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}`, policy: devInteractionPolicy() },
    loadExistingGrant: loadAutoGrant,
    // Refresh tokens without `offline_access`: the library refreshes sessions with them.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ...(options.rotateRefreshToken ? { rotateRefreshToken: true } : {}),
    extraTokenClaims: (_ctx, token) => {
      if (options.profileClaimsOnlyInUserinfo) return undefined;
      const accountId = 'accountId' in token ? token.accountId : undefined;
      if (typeof accountId !== 'string') return undefined;
      const { email, name, preferred_username, roles } = devAccountClaims(accountId);
      return { email, name, preferred_username, roles };
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      // Step-up: an essential `acr` in the claims parameter makes a weaker session sign in again.
      claimsParameter: { enabled: true },
      // RFC 7662 for the app's own (confidential) client, which matters with opaqueAccessTokens.
      introspection: { enabled: true },
      // RFC 8628 for CLIs: the verification page is `<issuer>/device`, its form field `user_code`.
      deviceFlow: { enabled: true, userCodeInputSource, userCodeConfirmSource, successSource: deviceSuccessSource },
      resourceIndicators: {
        enabled: true,
        // With profile claims only in userinfo, the access token must be one userinfo accepts (an
        // opaque one, for no resource): oidc-provider puts the claims in the ID token otherwise.
        defaultResource: (_ctx: KoaContextWithOIDC, _client, oneOf) =>
          oneOf?.[0] ?? (options.profileClaimsOnlyInUserinfo ? undefined : DEV_RESOURCE_INDICATOR),
        // Any resource a client names gets the same API audience: this is a single-API dev setup.
        getResourceServerInfo: () => ({
          scope: OIDC_SCOPES,
          audience: options.accessTokenAudience,
          accessTokenFormat: options.opaqueAccessTokens ? 'opaque' : 'jwt',
          accessTokenTTL,
          jwt: { sign: { alg: 'RS256' } },
        }),
        useGrantedResource: () => true,
      },
    },
    renderError,
    ttl: {
      AccessToken: accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
      DeviceCode: 600,
    },
  };
}
