import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';

import { RogueProvider, type RogueSigning } from './index.js';

const CLIENT_ID = 'rogue-client';
const SECRET = 'rogue-secret';
const REDIRECT_URI = 'http://127.0.0.1:1/callback';

describe('RogueProvider', () => {
  let rogue: RogueProvider;
  let config: client.Configuration;

  /** Authorize → callback → token endpoint with real PKCE, the way the library does it. */
  async function codeFlow(loginHint?: string) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const callback = new URL(response.headers.get('location')!);
    return { callback, verifier, state, nonce };
  }

  /** The raw token-endpoint answer (no openid-client validation: it would reject the bad tokens). */
  async function rawIdToken(): Promise<string> {
    const { callback, verifier } = await codeFlow();
    const response = await fetch(`${rogue.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id_token: string }).id_token;
  }

  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${rogue.issuer}/jwks`)), {
      algorithms: ['RS256'],
      issuer: rogue.issuer,
      audience: CLIENT_ID,
    });

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: SECRET });
    config = await client.discovery(new URL(rogue.issuer), CLIENT_ID, undefined, client.ClientSecretBasic(SECRET), {
      execute: [client.allowInsecureRequests],
    });
  });
  afterAll(() => rogue.close());
  beforeEach(() => rogue.setAvailability('up'));

  it('runs authorize → token with real PKCE, state, nonce and iss, through openid-client', async () => {
    const { callback, verifier, state, nonce } = await codeFlow('alice');
    expect(callback.searchParams.get('iss')).toBe(rogue.issuer);
    expect(rogue.lastAuthorizationRequest?.get('code_challenge_method')).toBe('S256');
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()).toMatchObject({ iss: rogue.issuer, aud: CLIENT_ID, sub: 'alice', nonce });
    expect(await client.fetchUserInfo(config, tokens.access_token, 'alice')).toEqual({ sub: 'alice', name: 'Name From Userinfo' });

    // The code is single use.
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong PKCE verifier and wrong client credentials', async () => {
    const { callback, state } = await codeFlow();
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const response = await fetch(`${rogue.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:nope`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client' });
  });

  it('issues good ID tokens that verify against its JWKS', async () => {
    const { payload, protectedHeader } = await verify(await rawIdToken());
    expect(payload.sub).toBe('rogue-user');
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
  });

  it.each<RogueSigning>(['unknown-key', 'none', 'hs256-client-secret', 'hs256-other-secret', 'tampered-signature'])(
    'issues an ID token signed %s that fails verification, once',
    async (signing) => {
      rogue.planNextIdToken({ signing });
      const bad = await rawIdToken();
      await expect(verify(bad)).rejects.toThrow();
      if (signing === 'none') expect(bad.endsWith('.')).toBe(true);
      await expect(verify(await rawIdToken())).resolves.toBeDefined();
    },
  );

  it('lets the plan replace the claims and the header', async () => {
    rogue.planNextIdToken({
      claims: (ctx) => ({ iss: 'https://evil.example', aud: ctx.clientId, sub: ctx.sub }),
      header: { typ: 'weird' },
    });
    const token = await rawIdToken();
    expect(decodeProtectedHeader(token).typ).toBe('weird');
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' });
  });

  it('signs bearer access tokens with typ at+jwt', async () => {
    const token = await rogue.signAccessToken({ sub: 'bob', aud: CLIENT_ID });
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ iss: rogue.issuer, sub: 'bob', exp: expect.any(Number) });
    await expect(verify(await rogue.signAccessToken({ aud: CLIENT_ID }, { signing: 'none' }))).rejects.toThrow();
  });

  it('rotates keys, signs with an unpublished key until it is published, and counts JWKS fetches', async () => {
    const kidOf = async () => decodeProtectedHeader(await rogue.signAccessToken({ aud: CLIENT_ID })).kid;
    const before = await kidOf();
    await rogue.rotateKeys();
    const after = await kidOf();
    expect(after).not.toBe(before);
    const jwks = (await (await fetch(`${rogue.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([after]);

    await rogue.addUnpublishedKey();
    const early = await rogue.signAccessToken({ aud: CLIENT_ID });
    const fetches = rogue.jwksRequests;
    await expect(verify(early)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(rogue.jwksRequests).toBe(fetches + 1);
    rogue.publishPendingKey();
    await expect(verify(early)).resolves.toBeDefined();
  });

  it('can be down (connection reset) or answer nonsense', async () => {
    rogue.setAvailability('down');
    await expect(fetch(`${rogue.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    rogue.setAvailability('nonsense');
    const response = await fetch(`${rogue.issuer}/jwks`);
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });
});
