import { createServer } from 'node:http';
import { createPrivateKey, generateKeyPairSync, sign, type JsonWebKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, importJWK, jwtVerify, type JWTVerifyOptions } from 'jose';
import type * as CompactJws from '../../lib/tokens/compact-jws.js';

// The library's own verifier, as built (dist/): it is internal, not exported by the package.
const { JwsKeySet, readCompactJws, verifyCompactJws } = (await import(
  new URL('../../../dist/tokens/compact-jws.js', import.meta.url).href
)) as typeof CompactJws;

/**
 * Fresh-token verification, candidates side by side on the same distinct tokens (nothing is
 * cached between calls, so each call pays the whole check):
 *
 *   npm run build:bench && node .build/bench/tokens/verify-candidates.bench.js
 *
 * Sequential (one await after another) and 32 in flight (as under HTTP load), interleaved rounds.
 * BENCH_TOKENS (4000), BENCH_ROUNDS (5).
 */
const TOKENS = Number(process.env.BENCH_TOKENS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ISSUER = 'http://127.0.0.1/issuer';
const AUDIENCE = 'bench-api';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-key', alg: 'RS256', use: 'sig' } as JsonWebKey;
const jwks = { keys: [publicJwk] };
const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify(jwks)));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const jwksUrl = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`);

// Tokens shaped like the development provider's access tokens.
const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'bench-key' })).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const signer = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
const tokens = Array.from({ length: TOKENS }, (_, i) => {
  const claims = {
    sub: 'alice',
    jti: `jti-${i}`,
    iat: now,
    exp: now + 3600,
    scope: 'openid profile email',
    client_id: 'bench',
    iss: ISSUER,
    aud: AUDIENCE,
    email: 'alice@example.com',
    roles: ['user'],
  };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), signer).toString('base64url')}`;
});

const joseOptions: JWTVerifyOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256'],
  clockTolerance: 30,
  requiredClaims: ['sub', 'exp'],
};
const nodeOptions: CompactJws.CompactJwsOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: new Set(['RS256']),
  clockToleranceSeconds: 30,
  requiredClaims: ['sub', 'exp'],
};

type Verify = (token: string) => unknown;
const remote = createRemoteJWKSet(jwksUrl);
const importedKey = await importJWK(publicJwk as never, 'RS256');
const keyByKid = new Map([['bench-key', importedKey]]);
const keySet = new JwsKeySet(jwks);
const { createVerifier } = createRequire(import.meta.url)('fast-jwt') as typeof import('fast-jwt');
const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
const pemByKid = new Map([['bench-key', pem]]);
const fastOptions = {
  algorithms: ['RS256'] as never,
  allowedIss: ISSUER,
  allowedAud: AUDIENCE,
  requiredClaims: ['sub', 'exp'],
  clockTolerance: 30_000,
  complete: true,
  cache: false as const,
};
const fastAsync = createVerifier({
  ...fastOptions,
  key: async (decoded: { header: { kid?: string } }) => pemByKid.get(decoded.header.kid ?? '') ?? '',
});
const fastSync = createVerifier({ ...fastOptions, key: pem });

const candidates: Array<[string, Verify]> = [
  ['jose jwtVerify, remote JWKS set (as used today)', (t) => jwtVerify(t, remote, joseOptions)],
  ['jose jwtVerify, CryptoKey imported once, kid map', (t) => jwtVerify(t, (h) => keyByKid.get(h.kid!)!, joseOptions)],
  [
    "node:crypto verify, KeyObject imported once (the library's compact-jws.ts, sync)",
    (t) => {
      const { header, alg } = readCompactJws(t);
      return verifyCompactJws(t, alg, keySet.candidates(alg, header.kid), nodeOptions);
    },
  ],
  ['fast-jwt, key function by kid (async)', (t) => fastAsync(t)],
  ['fast-jwt, one PEM key (sync)', (t) => fastSync(t) as Record<string, unknown>],
];

// Every candidate accepts a good token and refuses a tampered one before anything is timed.
for (const [name, check] of candidates) {
  await check(tokens[0]);
  const tampered = `${tokens[1].slice(0, -4)}${tokens[1].endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  if (
    await (async () => check(tampered))().then(
      () => true,
      () => false,
    )
  )
    throw new Error(`${name} accepted a tampered token`);
}

async function sequential(check: Verify): Promise<number> {
  const start = performance.now();
  for (const t of tokens) await check(t);
  return ((performance.now() - start) * 1000) / tokens.length;
}

async function concurrent(check: Verify, inFlight = 32): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < tokens.length) await check(tokens[next++]);
    }),
  );
  return ((performance.now() - start) * 1000) / tokens.length;
}

const results = candidates.map(() => ({ seq: [] as number[], conc: [] as number[] }));
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, [, check]] of candidates.entries()) {
    results[i].seq.push(await sequential(check));
    results[i].conc.push(await concurrent(check));
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const base = median(results[0].seq);
console.log(
  `${TOKENS} distinct RS256 tokens (2048-bit key), ${ROUNDS} interleaved rounds, median µs per verification · Node ${process.version}\n`,
);
console.log('| candidate | µs/token, sequential | µs/token, 32 in flight | speed-up vs today (sequential) |');
console.log('|---|---:|---:|---:|');
for (const [i, [name]] of candidates.entries()) {
  const seq = median(results[i].seq);
  console.log(`| ${name} | ${seq.toFixed(1)} | ${median(results[i].conc).toFixed(1)} | ${(base / seq).toFixed(2)}× |`);
}
server.close();
