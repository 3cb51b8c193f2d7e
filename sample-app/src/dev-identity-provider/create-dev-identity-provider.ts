import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';

import { createInteractionHandler } from './interaction-handler.js';
import { createJwtUserinfo } from './jwt-userinfo.js';
import { buildProviderConfiguration, issuerMountPath } from './provider-configuration.js';
import { publicJwk, resolveSigningKey } from './signing-key.js';
import type { DevIdentityProvider, DevIdentityProviderOptions } from './dev-identity-provider.types.js';

/** Our interaction route, relative to where the handler is mounted (express strips the prefix). */
const INTERACTION_ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,128})\/?$/;
/** oidc-provider's default userinfo route (`routes.userinfo`). */
const USERINFO_ROUTE = '/me';

/**
 * Builds the embedded development identity provider (oidc-provider, a certified OP) and a plain
 * node handler for it that can be mounted under the issuer's path or served on its own.
 */
export async function createDevIdentityProvider(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  if (options.clients.length === 0) throw new Error('dev identity provider: at least one client is required');
  const signingKey = await resolveSigningKey(options.signingKey);
  const provider = new Provider(options.issuer, buildProviderConfiguration(options, signingKey));
  const providerCallback = provider.callback();
  const publicJwks = { keys: [publicJwk(signingKey)] };
  const jwtUserinfo = createJwtUserinfo({ issuer: options.issuer, audience: options.accessTokenAudience, publicJwks });
  const interaction = createInteractionHandler(provider, {
    mountPath: issuerMountPath(options.issuer),
    autoLoginHint: options.autoLoginHint === true,
  });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const match = INTERACTION_ROUTE.exec(path);
    if (match) {
      void interaction(req, res, match[1]);
      return;
    }
    // Koa answers its own errors; the catch only guards the host process against the unexpected.
    const answered = path === USERINFO_ROUTE ? jwtUserinfo(req, res) : Promise.resolve(false);
    answered
      .then(async (done) => {
        if (!done) await providerCallback(req, res);
      })
      .catch(() => {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  };

  return { provider, handler, issuer: options.issuer, publicJwks };
}
