import { generateKeyPairSync, sign as rsaSign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SignJWT, errors, jwtVerify, createLocalJWKSet, type JWK } from 'jose';
import { JwsKeySet, readCompactJws, verifyCompactJws, type CompactJwsOptions } from './compact-jws.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'api';
const options: CompactJwsOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: new Set(['RS256', 'PS256', 'ES256', 'EdDSA']),
  clockToleranceSeconds: 30,
  requiredClaims: ['sub', 'exp'],
};

function pair(type: 'rsa' | 'ec' | 'ed25519', kid: string, modulusLength = 2048): { privateKey: KeyObject; jwk: JWK } {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return { privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid } };
}

const rsa = pair('rsa', 'rsa-1');
const ec = pair('ec', 'ec-1');
const ed = pair('ed25519', 'ed-1');
const jwks = { keys: [rsa.jwk, ec.jwk, ed.jwk] };
const keySet = new JwsKeySet(jwks);

function sign(key: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
    .setProtectedHeader(header as never)
    .sign(key);
}

/** A hand-made RS256 token: the header may say what jose would refuse to sign. */
function rawRs256(header: Record<string, unknown>, key: KeyObject = rsa.privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now + 300 })).toString('base64url')}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function check(token: string, set = keySet, opts = options) {
  const { header, alg } = readCompactJws(token);
  return verifyCompactJws(token, alg, set.candidates(alg, header.kid), opts);
}

/** jose's own verdict on the same token, for comparison. */
async function jose(token: string): Promise<string> {
  try {
    await jwtVerify(token, createLocalJWKSet(jwks as never), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [...options.algorithms],
      clockTolerance: 30,
      requiredClaims: ['sub', 'exp'],
    });
    return 'ok';
  } catch (error) {
    return (error as errors.JOSEError).code;
  }
}

function code(token: string, set?: JwsKeySet): string {
  try {
    check(token, set);
    return 'ok';
  } catch (error) {
    return (error as errors.JOSEError).code;
  }
}

describe('compact JWS verification on node:crypto', () => {
  it.each([
    ['RS256', () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })],
    ['PS256', () => sign(rsa.privateKey, { alg: 'PS256', kid: 'rsa-1' })],
    ['ES256', () => sign(ec.privateKey, { alg: 'ES256', kid: 'ec-1' })],
    ['EdDSA', () => sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed-1' })],
  ])('accepts a good %s token, as jose does', async (_, make) => {
    const token = await make();
    expect(check(token)).toMatchObject({ sub: 'alice' });
    expect(await jose(token)).toBe('ok');
  });

  it.each([
    ['expired', () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { exp: Math.floor(Date.now() / 1000) - 60 }), 'ERR_JWT_EXPIRED'],
    [
      'not yet valid',
      () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { nbf: Math.floor(Date.now() / 1000) + 600 }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'another issuer',
      () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { iss: 'https://evil.example' }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'another audience',
      () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { aud: ['x', 'y'] }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    ['no sub', () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { sub: undefined }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['a string exp', () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { exp: '9999999999' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['an unknown kid', () => sign(rsa.privateKey, { alg: 'RS256', kid: 'other' }), 'ERR_JWKS_NO_MATCHING_KEY'],
    ['the RSA key named for ES256', () => sign(ec.privateKey, { alg: 'ES256', kid: 'rsa-1' }), 'ERR_JWKS_NO_MATCHING_KEY'],
    ['an algorithm not allowed', () => sign(rsa.privateKey, { alg: 'RS512', kid: 'rsa-1' }), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['crit', async () => rawRs256({ alg: 'RS256', kid: 'rsa-1', crit: ['exp'], exp: 1 }), 'ERR_JWS_INVALID'],
  ] as Array<[string, () => Promise<string>, string]>)('rejects a token with %s', async (_, make, expected) => {
    const token = await make();
    expect(code(token)).toBe(expected);
    expect(await jose(token)).not.toBe('ok');
  });

  it('rejects forgeries: a flipped signature, alg none, HS256 with a public value, garbage parts', async () => {
    const good = await sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' });
    const [h, p, s] = good.split('.');
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expect(code(flipped)).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect(code(none)).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    const hs = `${Buffer.from('{"alg":"HS256","kid":"rsa-1"}').toString('base64url')}.${p}.${s}`;
    expect(code(hs)).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(code(`${h}.${Buffer.from('[1]').toString('base64url')}.${s}`)).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(code(`e30.${p}.${s}`)).toBe('ERR_JWS_INVALID');
    expect(code(`not-json.${p}.${s}`)).toBe('ERR_JWS_INVALID');
    expect(code('a.b')).toBe('ERR_JWS_INVALID');
  });

  it('takes no key without a kid when several would fit, and ignores RSA keys under 2048 bits', async () => {
    const second = pair('rsa', 'rsa-2');
    const two = new JwsKeySet({ keys: [rsa.jwk, second.jwk] });
    expect(code(await sign(rsa.privateKey, { alg: 'RS256' }), two)).toBe('ERR_JWKS_MULTIPLE_MATCHING_KEYS');
    expect(code(await sign(rsa.privateKey, { alg: 'RS256' }), new JwsKeySet({ keys: [rsa.jwk] }))).toBe('ok');
    const weak = pair('rsa', 'weak', 1024);
    expect(code(rawRs256({ alg: 'RS256', kid: 'weak' }, weak.privateKey), new JwsKeySet({ keys: [weak.jwk] }))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    );
  });

  it('skips keys that are not for verification', async () => {
    const set = new JwsKeySet({
      keys: [{ ...rsa.jwk, use: 'enc' }, { ...ec.jwk, key_ops: ['encrypt'] }, { kty: 'oct', k: 'c2VjcmV0', kid: 'hs' }, 'junk'],
    });
    expect(code(await sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }), set)).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(code(await sign(ec.privateKey, { alg: 'ES256', kid: 'ec-1' }), set)).toBe('ERR_JWKS_NO_MATCHING_KEY');
  });
});
