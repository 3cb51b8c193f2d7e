import { createHmac, randomBytes, webcrypto } from 'node:crypto';
import { base64url } from 'jose';

import { createRogueKey, type RogueKeyRing } from './rogue-key-ring.js';
import type { RogueSigning } from './rogue-provider.types.js';

export interface RogueJwtInput {
  payload: Record<string, unknown>;
  signing: RogueSigning;
  /** Merged over the defaults (`alg`, `typ`, `kid`) last, so a test can make the header lie. */
  header?: Record<string, unknown>;
  defaultTyp: string;
  keys: RogueKeyRing;
  clientSecret: string;
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

async function rs256(privateKey: webcrypto.CryptoKey, input: string): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new TextEncoder().encode(input)));
}

function flipBytes(signature: Uint8Array): Uint8Array {
  const copy = new Uint8Array(signature);
  for (const index of [0, Math.floor(copy.length / 2), copy.length - 1]) copy[index] ^= 0xff;
  return copy;
}

/**
 * Builds a compact JWS by hand (not with jose's SignJWT) so that the protected header can say
 * anything, independent of how the token is really signed.
 */
export async function signRogueJwt(input: RogueJwtInput): Promise<string> {
  const { signing, keys } = input;
  const realKey = signing === 'unknown-key' ? await createRogueKey() : keys.signingKey;

  const baseHeader: Record<string, unknown> = { typ: input.defaultTyp };
  if (signing === 'none') baseHeader.alg = 'none';
  else if (signing.startsWith('hs256')) baseHeader.alg = 'HS256';
  else Object.assign(baseHeader, { alg: 'RS256', kid: realKey.kid });
  const header = { ...baseHeader, ...input.header };

  const signingInput = `${encodeJson(header)}.${encodeJson(input.payload)}`;
  let signature: Uint8Array;
  switch (signing) {
    case 'none':
      return `${signingInput}.`;
    case 'hs256-client-secret':
    case 'hs256-other-secret': {
      const secret = signing === 'hs256-client-secret' ? input.clientSecret : randomBytes(32);
      signature = createHmac('sha256', secret).update(signingInput).digest();
      break;
    }
    case 'tampered-signature':
      signature = flipBytes(await rs256(realKey.privateKey, signingInput));
      break;
    case 'good':
    case 'unknown-key':
      signature = await rs256(realKey.privateKey, signingInput);
      break;
  }
  return `${signingInput}.${base64url.encode(signature)}`;
}
