import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { errors, type JWTHeaderParameters, type JWTPayload } from 'jose';

/**
 * A JWT check on node:crypto with keys imported once, for the bearer hot path: jose's
 * `jwtVerify` goes through WebCrypto (an async job, a key re-wrapped per call), which costs
 * several times the RSA verification itself. The checks are jose's for a compact JWS and a JWT
 * claims set, and a failure throws jose's error class with its code, so callers see no
 * difference: allowed `alg`, no `crit` (stricter: jose accepts `b64`), key chosen by `kid` and
 * type (one candidate at most without `kid`, as jose), RSA keys of 2048 bits at least, the
 * signature, then a JSON object payload with `iss`, `aud`, `exp`, `nbf`, `iat` and the required
 * claims checked. Protected headers repeat from token to token: each is parsed once.
 */
interface AlgSpec {
  hash: string | null;
  kty: 'RSA' | 'EC' | 'OKP';
  crv?: string;
  padding?: number;
  saltLength?: number;
  dsaEncoding?: 'ieee-p1363';
}

const PSS = constants.RSA_PKCS1_PSS_PADDING;
const ALGORITHMS: Readonly<Record<string, AlgSpec>> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', padding: PSS, saltLength: 32 },
  PS384: { hash: 'sha384', kty: 'RSA', padding: PSS, saltLength: 48 },
  PS512: { hash: 'sha512', kty: 'RSA', padding: PSS, saltLength: 64 },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384', dsaEncoding: 'ieee-p1363' },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521', dsaEncoding: 'ieee-p1363' },
  EdDSA: { hash: null, kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { hash: null, kty: 'OKP', crv: 'Ed25519' },
};

/** True for the algorithms this verifier implements (the others go through jose). */
export function isCompactJwsAlgorithm(alg: string): boolean {
  return Object.hasOwn(ALGORITHMS, alg);
}

export interface VerificationKey {
  kid: string | undefined;
  kty: string;
  crv: string | undefined;
  alg: string | undefined;
  use: string | undefined;
  key: KeyObject;
}

/** A JWKS's verification keys as `KeyObject`s, imported once; lookups are map hits. */
export class JwsKeySet {
  private readonly byKid = new Map<string, VerificationKey[]>();
  private readonly all: VerificationKey[] = [];

  constructor(jwks: { keys?: unknown }) {
    for (const jwk of Array.isArray(jwks.keys) ? (jwks.keys as JsonWebKey[]) : []) {
      if (jwk === null || typeof jwk !== 'object') continue;
      if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) continue;
      let key: KeyObject;
      try {
        key = createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        continue; // symmetric, private-only or malformed: never a verification key here
      }
      if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) continue;
      const entry: VerificationKey = {
        kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
        kty: String(jwk.kty),
        crv: typeof jwk.crv === 'string' ? jwk.crv : undefined,
        alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
        use: typeof jwk.use === 'string' ? jwk.use : undefined,
        key,
      };
      this.all.push(entry);
      if (entry.kid !== undefined) this.byKid.set(entry.kid, [...(this.byKid.get(entry.kid) ?? []), entry]);
    }
  }

  /** The keys that may have made a signature with `alg` (by `kid` when the header has one). */
  candidates(alg: string, kid: unknown): VerificationKey[] {
    if (!isCompactJwsAlgorithm(alg)) return [];
    const spec = ALGORITHMS[alg];
    const pool = typeof kid === 'string' ? (this.byKid.get(kid) ?? []) : this.all;
    return pool.filter(
      (k) =>
        k.kty === spec.kty &&
        (k.use === undefined || k.use === 'sig') &&
        (k.alg === undefined || k.alg === alg) &&
        (spec.crv === undefined || k.kty === 'RSA' || k.crv === spec.crv),
    );
  }
}

export interface CompactJwsOptions {
  issuer: string;
  audience: string | readonly string[];
  algorithms: ReadonlySet<string>;
  clockToleranceSeconds: number;
  requiredClaims: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_REMEMBERED_HEADERS = 64;
const headers = new Map<string, Readonly<JWTHeaderParameters>>();

/** The protected header of `encoded`, parsed once per distinct header. */
function protectedHeader(encoded: string): Readonly<JWTHeaderParameters> {
  const known = headers.get(encoded);
  if (known) return known;
  const header = parseJson(encoded, () => new errors.JWSInvalid('JWS Protected Header is invalid')) as JWTHeaderParameters;
  if (headers.size >= MAX_REMEMBERED_HEADERS) headers.clear();
  headers.set(encoded, Object.freeze(header));
  return header;
}

function parseJson(encoded: string, invalid: () => Error): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(encoded, 'base64url')));
  } catch (cause) {
    throw Object.assign(invalid(), { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid();
  return value as Record<string, unknown>;
}

/** Splits a compact JWS and returns its header: what choosing the keys needs. */
export function readCompactJws(token: string): { header: Readonly<JWTHeaderParameters>; alg: string } {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) !== -1) throw new errors.JWSInvalid('Invalid Compact JWS');
  const header = protectedHeader(token.slice(0, dot1));
  if (header.crit !== undefined) throw new errors.JWSInvalid('"crit" is not supported');
  const { alg } = header;
  if (typeof alg !== 'string' || !alg) throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  return { header, alg };
}

/** Verifies the signature with `keys` (from `JwsKeySet.candidates`) and checks the claims set. */
export function verifyCompactJws(token: string, alg: string, keys: readonly VerificationKey[], options: CompactJwsOptions): JWTPayload {
  if (!options.algorithms.has(alg) || !isCompactJwsAlgorithm(alg))
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  if (keys.length === 0) throw new errors.JWKSNoMatchingKey();
  if (keys.length > 1) throw new errors.JWKSMultipleMatchingKeys();
  const spec = ALGORITHMS[alg];
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  const key =
    spec.padding || spec.dsaEncoding
      ? { key: keys[0].key, padding: spec.padding, saltLength: spec.saltLength, dsaEncoding: spec.dsaEncoding }
      : keys[0].key;
  let valid: boolean;
  try {
    valid = verify(spec.hash, Buffer.from(token.slice(0, dot2), 'latin1'), key, Buffer.from(token.slice(dot2 + 1), 'base64url'));
  } catch (cause) {
    throw new errors.JWSSignatureVerificationFailed(undefined, { cause });
  }
  if (!valid) throw new errors.JWSSignatureVerificationFailed();
  const claims = parseJson(
    token.slice(dot1 + 1, dot2),
    () => new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object'),
  ) as JWTPayload;
  checkClaims(claims, options);
  return claims;
}

function checkClaims(claims: JWTPayload, options: CompactJwsOptions): void {
  const failed = (message: string, claim: string, reason = 'check_failed') =>
    new errors.JWTClaimValidationFailed(message, claims, claim, reason);
  for (const claim of ['iss', 'aud', ...options.requiredClaims]) {
    if (!Object.hasOwn(claims, claim)) throw failed(`missing required "${claim}" claim`, claim, 'missing');
  }
  if (claims.iss !== options.issuer) throw failed('unexpected "iss" claim value', 'iss');
  const expected = typeof options.audience === 'string' ? [options.audience] : options.audience;
  const { aud } = claims;
  const audOk = typeof aud === 'string' ? expected.includes(aud) : Array.isArray(aud) && expected.some((a) => aud.includes(a));
  if (!audOk) throw failed('unexpected "aud" claim value', 'aud');
  const now = Math.floor(Date.now() / 1000);
  const tolerance = options.clockToleranceSeconds;
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (claims[claim] !== undefined && typeof claims[claim] !== 'number')
      throw failed(`"${claim}" claim must be a number`, claim, 'invalid');
  }
  if (claims.nbf !== undefined && claims.nbf > now + tolerance) throw failed('"nbf" claim timestamp check failed', 'nbf');
  if (claims.exp !== undefined && claims.exp <= now - tolerance)
    throw new errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed');
}
