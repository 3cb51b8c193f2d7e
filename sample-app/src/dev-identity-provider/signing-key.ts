import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The RS256 signing key: the given one (a `kid` is added if missing) or a fresh one per process. */
export async function resolveSigningKey(given?: JWK): Promise<JWK> {
  let key: JWK;
  if (given) {
    if (given.kty !== 'RSA' || typeof given.d !== 'string') {
      throw new Error('dev identity provider: signingKey must be an RSA private JWK');
    }
    key = { ...given };
  } else {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    key = await exportJWK(privateKey);
  }
  key.kid ??= await calculateJwkThumbprint(key);
  key.alg = 'RS256';
  key.use = 'sig';
  return key;
}

/** The public half, as published on `jwks_uri`. */
export function publicJwk(key: JWK): JWK {
  const copy: JWK = { ...key };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy;
}
