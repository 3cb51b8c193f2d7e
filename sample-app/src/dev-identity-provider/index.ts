export type {
  DevClient,
  DevIdentityProvider,
  DevIdentityProviderOptions,
  StandaloneDevIdentityProvider,
  StandaloneDevIdentityProviderOptions,
} from './dev-identity-provider.types.js';
export { createDevIdentityProvider } from './create-dev-identity-provider.js';
export { startStandaloneDevIdentityProvider } from './start-standalone-dev-identity-provider.js';
export { DEV_RESOURCE_INDICATOR } from './provider-configuration.js';
export { devAccountClaims, type DevAccountClaims } from './dev-accounts.js';
export { DEV_ACR_MFA, DEV_ACR_PASSWORD, DEV_ACR_VALUES } from './dev-acr.js';
