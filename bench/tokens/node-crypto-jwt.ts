import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Candidate: a compact-JWS check on node:crypto with `KeyObject`s imported once, behind the
 * checks jose's `jwtVerify` makes (pinned algorithms, `crit`, key selection by `kid` and type,
 * `iss`, `aud`, `exp`, `nbf`, `iat`, required claims). Synchronous: one base64url decode and one
 * JSON parse per part, one `crypto.verify`.
 */
export interface VerifyOptions {
  issuer: string;
  audience: string | readonly string[];
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  requiredClaims: readonly string[];
}

interface AlgSpec {
  hash: string | null;
  kty: 'RSA' | 'EC' | 'OKP';
  crv?: string;
  padding?: number;
  saltLength?: number;
  dsaEncoding?: 'ieee-p1363';
}

const PSS = constants.RSA_PKCS1_PSS_PADDING;
export const JWS_ALGORITHMS: Readonly<Record<string, AlgSpec>> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', padding: PSS, saltLength: 32 },
  PS384: { hash: 'sha384', kty: 'RSA', padding: PSS, saltLength: 48 },
  PS512: { hash: 'sha512', kty: 'RSA', padding: PSS, saltLength: 64 },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384', dsaEncoding: 'ieee-p1363' },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521', dsaEncoding: 'ieee-p1363' },
  EdDSA: { hash: null, kty: 'OKP' },
  Ed25519: { hash: null, kty: 'OKP', crv: 'Ed25519' },
};

export class JwtRejected extends Error {}

interface PublicKey {
  kid: string | undefined;
  kty: string;
  crv: string | undefined;
  alg: string | undefined;
  key: KeyObject;
}

/** The JWKS's signature keys as `KeyObject`s, imported once. */
export class KeyObjectSet {
  private readonly byKid = new Map<string, PublicKey>();
  private readonly all: PublicKey[] = [];

  constructor(jwks: { keys: JsonWebKey[] }) {
    for (const jwk of jwks.keys) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) continue;
      let key: KeyObject;
      try {
        key = createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        continue; // a key type node cannot use is no key for us
      }
      if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) continue;
      const entry: PublicKey = { kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, kty: String(jwk.kty), crv: jwk.crv, alg: typeof jwk.alg === 'string' ? jwk.alg : undefined, key };
      this.all.push(entry);
      if (entry.kid !== undefined && !this.byKid.has(entry.kid)) this.byKid.set(entry.kid, entry);
    }
  }

  /** Keys that may have made a signature with `alg` (by `kid` when the header names one). */
  candidates(alg: string, spec: AlgSpec, kid: unknown): PublicKey[] {
    const fits = (k: PublicKey) => k.kty === spec.kty && (k.alg === undefined || k.alg === alg) && (spec.crv === undefined || k.crv === spec.crv);
    if (typeof kid === 'string') {
      const hit = this.byKid.get(kid);
      return hit && fits(hit) ? [hit] : [];
    }
    return this.all.filter(fits);
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(Buffer.from(part, 'base64url')));
  } catch {
    throw new JwtRejected('not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JwtRejected('not a JSON object');
  return value as Record<string, unknown>;
}

export function verifyCompactJwt(
  token: string,
  keys: KeyObjectSet,
  options: VerifyOptions,
): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 === token.length - 1 || token.indexOf('.', dot2 + 1) !== -1) throw new JwtRejected('not a compact JWS');
  const header = decodeJson(token.slice(0, dot1));
  const alg = header.alg;
  if (typeof alg !== 'string' || !options.algorithms.includes(alg) || !Object.hasOwn(JWS_ALGORITHMS, alg)) throw new JwtRejected('algorithm not allowed');
  if (header.crit !== undefined) throw new JwtRejected('unsupported "crit"');
  const spec = JWS_ALGORITHMS[alg];
  const candidates = keys.candidates(alg, spec, header.kid);
  if (candidates.length === 0) throw new JwtRejected('no matching key');
  const input = Buffer.from(token.slice(0, dot2), 'latin1');
  const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
  const ok = candidates.some(({ key }) =>
    verify(spec.hash, input, spec.dsaEncoding || spec.padding ? { key, padding: spec.padding, saltLength: spec.saltLength, dsaEncoding: spec.dsaEncoding } : key, signature),
  );
  if (!ok) throw new JwtRejected('signature verification failed');
  const payload = decodeJson(token.slice(dot1 + 1, dot2));
  checkClaims(payload, options);
  return { header, payload };
}

function checkClaims(payload: Record<string, unknown>, options: VerifyOptions): void {
  for (const claim of options.requiredClaims) if (payload[claim] === undefined) throw new JwtRejected(`missing "${claim}"`);
  if (payload.iss !== options.issuer) throw new JwtRejected('unexpected "iss"');
  const expected = typeof options.audience === 'string' ? [options.audience] : options.audience;
  const aud = payload.aud;
  if (typeof aud === 'string' ? !expected.includes(aud) : !Array.isArray(aud) || !aud.some((a) => expected.includes(a as string))) throw new JwtRejected('unexpected "aud"');
  const now = Math.floor(Date.now() / 1000);
  const tolerance = options.clockToleranceSeconds;
  const { exp, nbf, iat } = payload;
  if (iat !== undefined && typeof iat !== 'number') throw new JwtRejected('"iat" is not a number');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + tolerance)) throw new JwtRejected('"nbf" check failed');
  if (exp !== undefined && (typeof exp !== 'number' || exp <= now - tolerance)) throw new JwtRejected('"exp" check failed');
}
