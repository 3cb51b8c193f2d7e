import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { base64url, createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { TokenSettings } from '../options/resolved-auth-options.js';
import type { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { IdTokenVerifier } from './id-token.verifier.js';

const ISSUER = 'https://idp.example.test';
const CLIENT_ID = 'app';
const CLIENT_SECRET = 'the-client-secret-of-at-least-32-chars';
const NONCE = 'nonce-of-this-login';
const now = () => Math.floor(Date.now() / 1000);

/**
 * The library's own ID-token checks, without openid-client in front of them: real RS256 keys
 * from jose, the provider's JWKS served over loopback HTTP and read by jose's remote JWKS set.
 */
describe('IdTokenVerifier', () => {
  let server: Server;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  let jwksRequests = 0;
  const kid = 'key-1';

  const settings = (overrides: Partial<TokenSettings> = {}): TokenSettings => ({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    audience: CLIENT_ID,
    idTokenAlgorithms: ['RS256'],
    accessTokenAlgorithms: ['RS256'],
    clockToleranceSeconds: 60,
    rolesPath: ['roles'],
    jwksCooldownMs: 30_000,
    jwksMaxAgeMs: 600_000,
    jwksStaleIfErrorMs: 86_400_000,
    requireAtJwt: false,
    acceptIdTokens: false,
    allowedClientIds: undefined,
    httpTimeoutMs: 2_000,
    ...overrides,
  });

  function verifier(overrides: Partial<TokenSettings> = {}): IdTokenVerifier {
    const { port } = server.address() as AddressInfo;
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/jwks`));
    const provider = { get: async () => ({ jwks }), keys: async () => ({ jwks }) } as unknown as OidcProviderClient;
    return new IdTokenVerifier(settings(overrides), provider);
  }

  const claims = (overrides: Record<string, unknown> = {}): JWTPayload => {
    const base: Record<string, unknown> = {
      iss: ISSUER,
      aud: CLIENT_ID,
      sub: 'alice',
      iat: now(),
      exp: now() + 300,
      nonce: NONCE,
      ...overrides,
    };
    for (const [key, value] of Object.entries(base)) if (value === undefined) delete base[key];
    return base;
  };

  const rs256 = (payload: JWTPayload, key: CryptoKey = signingKey, keyId = kid) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: keyId, typ: 'JWT' }).sign(key);
  const hs256 = (payload: JWTPayload, secret: string) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));

  async function expectRejected(token: unknown, reason: RegExp, v = verifier()): Promise<void> {
    const error = await v.verify(token, NONCE).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string; status?: number },
    );
    expect(error).toBeDefined();
    expect({ code: error!.code, status: error!.status }).toEqual({ code: 'AUTH_ID_TOKEN_INVALID', status: 401 });
    expect(error!.message).toMatch(reason);
  }

  beforeAll(async () => {
    ({ privateKey: signingKey } = await generateKeyPair('RS256'));
    const pair = await generateKeyPair('RS256', { extractable: true });
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    signingKey = pair.privateKey;
    server = createServer((req, res) => {
      jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts a well-formed token and returns its claims', async () => {
    await expect(verifier().verify(await rs256(claims()), NONCE)).resolves.toMatchObject({ sub: 'alice', nonce: NONCE });
  });

  it('rejects a bad signature', async () => {
    const [header, payload, signature] = (await rs256(claims())).split('.');
    const bytes = base64url.decode(signature);
    bytes[10] ^= 0xff;
    await expectRejected(`${header}.${payload}.${base64url.encode(bytes)}`, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it('rejects alg none, even when it is the only algorithm the token offers', async () => {
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
    await expectRejected(`${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.`, /algorithm none is not accepted/);
  });

  it('rejects HS256 when only RS256 is pinned, even signed with the client secret', async () => {
    await expectRejected(await hs256(claims(), CLIENT_SECRET), /algorithm HS256 is not accepted/);
  });

  it('verifies HS256 with the client secret only, where HS256 is allowed', async () => {
    const v = verifier({ idTokenAlgorithms: ['RS256', 'HS256'] });
    await expect(v.verify(await hs256(claims(), CLIENT_SECRET), NONCE)).resolves.toMatchObject({ sub: 'alice' });
    await expectRejected(await hs256(claims(), 'another-secret-of-at-least-32-characters'), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/, v);
  });

  it('rejects a key that is not in the JWKS (unknown kid), after one refetch', async () => {
    const before = jwksRequests;
    await expectRejected(await rs256(claims(), strangerKey, 'stranger'), /ERR_JWKS_NO_MATCHING_KEY/);
    expect(jwksRequests - before).toBeGreaterThanOrEqual(1);
    // A known kid with a foreign key's signature is a bad signature, not a missing key.
    await expectRejected(await rs256(claims(), strangerKey, kid), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it.each([
    ['a wrong iss', { iss: 'https://evil.example' }, /"iss"/],
    ['a wrong aud', { aud: 'other-client' }, /"aud"/],
    ['several audiences without azp', { aud: [CLIENT_ID, 'other'] }, /several audiences and no "azp"/],
    ['an azp of another client', { aud: [CLIENT_ID, 'other'], azp: 'other' }, /"azp" is another client/],
    ['an azp of another client with one audience', { azp: 'other' }, /"azp" is another client/],
    ['exp past the 60 s tolerance', { iat: now() - 600, exp: now() - 61 }, /ERR_JWT_EXPIRED/],
    ['iat more than 60 s in the future', { iat: now() + 120, exp: now() + 600 }, /"iat" is in the future/],
    ['nbf more than 60 s in the future', { nbf: now() + 120 }, /"nbf"/],
    ['no nonce', { nonce: undefined }, /missing or wrong "nonce"/],
    ['a wrong nonce', { nonce: 'another-login' }, /missing or wrong "nonce"/],
    ['no sub', { sub: undefined }, /"sub"/],
    ['an empty sub', { sub: '' }, /bad "sub"/],
    ['a sub of 256 characters', { sub: 's'.repeat(256) }, /bad "sub"/],
    ['a NUL in sub', { sub: 'mallory\u0000admin' }, /bad "sub"/],
    ['a control character in sub', { sub: 'mallory\u001b[2J' }, /bad "sub"/],
    ['a NUL in sid', { sid: 'sid\u0000x' }, /bad "sid"/],
    ['a sid that is not a string', { sid: 42 }, /bad "sid"/],
    ['no exp', { exp: undefined }, /"exp"/],
  ])('rejects %s', async (_, overrides, reason) => {
    await expectRejected(await rs256(claims(overrides)), reason);
  });

  it('tolerates clock skew within clockToleranceSeconds, and none at 0', async () => {
    const skewed = claims({ iat: now() - 600, exp: now() - 45, nbf: now() + 45 });
    await expect(verifier().verify(await rs256(skewed), NONCE)).resolves.toMatchObject({ sub: 'alice' });
    await expectRejected(
      await rs256(claims({ iat: now() - 600, exp: now() - 45 })),
      /ERR_JWT_EXPIRED/,
      verifier({ clockToleranceSeconds: 0 }),
    );
    await expectRejected(await rs256(claims({ nbf: now() + 45 })), /"nbf"/, verifier({ clockToleranceSeconds: 0 }));
    await expectRejected(await rs256(claims({ iat: now() + 45 })), /"iat" is in the future/, verifier({ clockToleranceSeconds: 0 }));
  });

  it.each([undefined, '', 42, 'not-a-jwt', 'a.b.c'])('rejects %j as a token', async (token) => {
    await expectRejected(token, /ID token|rejected/);
  });
});
