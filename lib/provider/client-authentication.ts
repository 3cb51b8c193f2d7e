import { importJWK } from 'jose';
import * as client from 'openid-client';
import type { LoginSettings } from '../options/resolved-auth-options.js';

/** The app's credentials at the provider (token, introspection endpoints), as openid-client takes them. */
export async function clientAuthentication(
  login: Pick<LoginSettings, 'clientAuthMethod' | 'clientSecret' | 'clientPrivateKey'>,
): Promise<client.ClientAuth> {
  switch (login.clientAuthMethod) {
    case 'client_secret_post':
      return client.ClientSecretPost(login.clientSecret);
    case 'private_key_jwt': {
      const jwk = login.clientPrivateKey!;
      const key = await importJWK(jwk, jwk.alg ?? 'RS256');
      if (key instanceof Uint8Array) throw new TypeError('"clientPrivateKey" must be an asymmetric private JWK');
      return client.PrivateKeyJwt({ key, kid: jwk.kid });
    }
    default:
      return client.ClientSecretBasic(login.clientSecret);
  }
}
