import type { AuthModuleOptions } from '@nestflux/auth';
import type { SampleConfig } from './sample-config.js';

/** The sample app's AuthModule options, shared by the server and the `npm run sync` CLI. */
export function authModuleOptions(config: SampleConfig): AuthModuleOptions {
  const shared = {
    baseUrl: config.baseUrl,
    jwksCooldownSeconds: config.jwksCooldownSeconds,
    // The embedded provider is the app itself; off loopback it runs only with DEV_IDENTITY_PROVIDER=1.
    allowInsecureIssuer: config.embeddedProvider,
    session: {
      secret: config.sessionSecret,
      idleTimeoutSeconds: config.sessionIdleSeconds,
      absoluteTimeoutSeconds: config.sessionMaxSeconds,
      ...(config.redis ? { store: { type: 'redis' as const, url: config.redis.url, keyPrefix: config.redis.keyPrefix } } : {}),
    },
    sync: config.sync,
    rateLimit: config.rateLimit,
    enforce: config.enforce,
    ...(config.cliClientId ? { deviceFlow: { clientId: config.cliClientId } } : {}),
  };
  const first = config.providers[0];
  if (config.severalProviders) {
    return {
      ...shared,
      providers: config.providers.map((provider) => ({
        slug: provider.slug,
        name: provider.name,
        issuerUrl: provider.issuerUrl,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        scope: provider.scope,
        audience: provider.audience,
        rolesClaim: provider.rolesClaim,
        autoProvision: provider.autoProvision,
        adminEmailDomains: provider.adminEmailDomains,
        // The embedded providers are the app itself; off loopback they run only with DEV_IDENTITY_PROVIDER=1.
        allowInsecureIssuer: provider.devMountPath !== undefined,
      })),
    };
  }
  return {
    ...shared,
    providerSlug: first.slug,
    providerName: first.name,
    issuerUrl: config.issuerUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scope: config.scope,
    audience: config.audience,
    rolesClaim: config.rolesClaim,
    autoProvision: first.autoProvision,
    adminEmailDomains: first.adminEmailDomains,
  };
}
