import type { LoginSettings, ProvisioningSettings, ResolvedProvider, TokenSettings } from '../options/resolved-auth-options.js';
import { AccessTokenVerifier } from '../tokens/access-token.verifier.js';
import { IdTokenVerifier } from '../tokens/id-token.verifier.js';
import { LogoutTokenVerifier } from '../tokens/logout-token.verifier.js';
import { OidcProviderClient } from './oidc-provider-client.service.js';

/**
 * One configured provider with everything that is its own: discovery and keys (with their
 * back-off), and the verifiers bound to its issuer, audience and keys. A token is only ever
 * verified by the provider its `iss` names, with that provider's keys.
 */
export class ConfiguredProvider {
  readonly slug: string;
  readonly name: string;
  /** False: a bearer-only trusted issuer (gateway): no login, link or callback routes. */
  readonly loginEnabled: boolean;
  readonly issuer: string;
  readonly login: LoginSettings;
  readonly tokens: TokenSettings;
  readonly provisioning: ProvisioningSettings;
  readonly client: OidcProviderClient;
  readonly idTokens: IdTokenVerifier;
  readonly accessTokens: AccessTokenVerifier;
  readonly logoutTokens: LogoutTokenVerifier;

  constructor(settings: ResolvedProvider) {
    this.slug = settings.slug;
    this.name = settings.name;
    this.loginEnabled = settings.loginEnabled;
    this.issuer = settings.tokens.issuer;
    this.login = settings.login;
    this.tokens = settings.tokens;
    this.provisioning = settings.provisioning;
    this.client = new OidcProviderClient(settings.login, settings.tokens, settings.jwksUrl);
    this.idTokens = new IdTokenVerifier(settings.tokens, this.client);
    this.accessTokens = new AccessTokenVerifier(settings.tokens, this.client);
    this.logoutTokens = new LogoutTokenVerifier(settings.tokens, this.client);
  }
}
