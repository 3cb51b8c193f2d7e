import type { AuthModuleOptions } from '@nestflux/auth';
import type { SampleConfig } from './sample-config.js';

/** The sample app's AuthModule options, shared by the server and the `npm run sync` CLI. */
export function authModuleOptions(config: SampleConfig): AuthModuleOptions {
  return {
    issuerUrl: config.issuerUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    baseUrl: config.baseUrl,
    scope: config.scope,
    audience: config.audience,
    rolesClaim: config.rolesClaim,
    jwksCooldownSeconds: config.jwksCooldownSeconds,
    // The embedded provider is the app itself; off loopback it runs only with DEV_IDENTITY_PROVIDER=1.
    allowInsecureIssuer: config.embeddedProvider,
    session: {
      secret: config.sessionSecret,
      idleTimeoutSeconds: config.sessionIdleSeconds,
      absoluteTimeoutSeconds: config.sessionMaxSeconds,
      ...(config.redis ? { store: { type: 'redis', url: config.redis.url, keyPrefix: config.redis.keyPrefix } } : {}),
    },
    sync: config.sync,
    rateLimit: config.rateLimit,
    enforce: config.enforce,
    ...(config.cliClientId ? { deviceFlow: { clientId: config.cliClientId } } : {}),
  };
}
