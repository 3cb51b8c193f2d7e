import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createDevIdentityProvider } from './create-dev-identity-provider.js';
import type {
  DevIdentityProvider,
  StandaloneDevIdentityProvider,
  StandaloneDevIdentityProviderOptions,
} from './dev-identity-provider.types.js';

/**
 * Serves the development identity provider on its own loopback port (`127.0.0.1:0` by default);
 * the issuer is only known once the port is, so the provider is created after `listen`.
 */
export async function startStandaloneDevIdentityProvider(
  options: StandaloneDevIdentityProviderOptions,
): Promise<StandaloneDevIdentityProvider> {
  const { port = 0, host = '127.0.0.1', ...providerOptions } = options;
  let devProvider: DevIdentityProvider | undefined;
  const server = createServer((req, res) => {
    if (devProvider) return devProvider.handler(req, res);
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  try {
    devProvider = await createDevIdentityProvider({ ...providerOptions, issuer: url });
  } catch (error) {
    server.close();
    throw error;
  }

  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  return { ...devProvider, url, close };
}
