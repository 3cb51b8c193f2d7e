import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as ExpiringMapModule from '../../lib/cache/expiring-map.js';
import type * as SessionCacheModule from '../../lib/session/session-cache.js';
import { startSampleApp } from '../../sample-app/src/bootstrap.js';
import { bindLoopbackServer } from '../../test/support/loopback-server.js';
import { signIn } from '../../test/support/sample-app-harness.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { writeReadmeSection } from './readme-section.js';

/**
 * Memory of the request path's caches when full, and login throughput:
 *
 *   npm run build:bench && node --expose-gc .build/bench/auth/capacity.bench.js
 *
 * 1. Heap taken by 100,000 cached sessions (the session cache, entries shaped as the library
 *    stores them) and by 100,000 verified bearer tokens (the map behind the verified-token cache,
 *    keyed by real-length tokens, holding their decoded claims). The library caps the latter at
 *    10,000 entries; 100,000 shows the cost per entry.
 * 2. Completed browser logins per second against the development provider (the whole walk:
 *    /auth/login, the provider's authorize with a login hint, the callback with its code exchange,
 *    ID-token check, user upsert and session insert), BENCH_LOGIN_CONCURRENCY (8) walks at once for
 *    BENCH_LOGIN_SECONDS (10), each as a new user.
 */
const { SessionCache } = (await import(
  new URL('../../../dist/session/session-cache.js', import.meta.url).href
)) as typeof SessionCacheModule;
const { ExpiringMap } = (await import(new URL('../../../dist/cache/expiring-map.js', import.meta.url).href)) as typeof ExpiringMapModule;
const ENTRIES = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heapMb(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const lines: string[] = [];
/** Everything measured stays reachable until the end, or a later measurement would see it collected. */
const keep: unknown[] = [];

// 1a. Sessions, shaped as AuthSessionService caches them.
{
  const before = heapMb();
  const cache = new SessionCache<SessionCacheModule.CacheableSession & Record<string, unknown>>(ENTRIES, 600_000);
  cache.setLive(true);
  for (let i = 0; i < ENTRIES; i++) {
    const userId = randomUUID();
    const idHash = randomBytes(32).toString('hex');
    const session = {
      idHash,
      issuer: 'https://auth.example.com/application/o/app/',
      subject: randomBytes(32).toString('hex'),
      roles: ['user'],
      scopes: ['openid', 'profile', 'email'],
      user: {
        id: userId,
        email: `user${i}@example.com`,
        displayName: `User Number ${i}`,
        username: `user${i}`,
        avatarUrl: `https://www.gravatar.com/avatar/${randomBytes(32).toString('hex')}?d=identicon`,
        roles: ['user'],
        active: true,
      },
    };
    cache.set(idHash, { session, userId, expiresAtMs: Date.now() + 3_600_000, lastSeenMs: Date.now() }, cache.beginRead());
  }
  const used = heapMb() - before;
  keep.push(cache);
  lines.push(
    `| 100,000 cached sessions (session cache; default cap 10,000) | ${cache.size} | ${used.toFixed(1)} MB | ${((used * 2 ** 20) / cache.size).toFixed(0)} B |`,
  );
}

// 1b. Verified bearer tokens: the key is the whole token string (~1 KB), the value its claims.
{
  const claims = (i: number) => ({
    iss: 'https://auth.example.com/application/o/app/',
    sub: randomBytes(32).toString('hex'),
    aud: 'app',
    exp: 2_000_000_000,
    iat: 1_764_000_000,
    jti: randomUUID(),
    client_id: 'app',
    scope: 'openid profile email',
    email: `user${i}@example.com`,
    name: `User Number ${i}`,
    preferred_username: `user${i}`,
    roles: ['user'],
  });
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'key-1' })).toString('base64url');
  const before = heapMb();
  const map = new ExpiringMap<Record<string, unknown>>(ENTRIES);
  let tokenLength = 0;
  for (let i = 0; i < ENTRIES; i++) {
    const payload = claims(i);
    const token = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
    tokenLength = token.length;
    map.set(token, JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, Date.now() + 600_000);
  }
  const used = heapMb() - before;
  keep.push(map);
  lines.push(
    `| 100,000 verified bearer tokens of ${tokenLength} characters (verified-token cache's map; the library caps it at 10,000) | ${ENTRIES} | ${used.toFixed(1)} MB | ${((used * 2 ** 20) / ENTRIES).toFixed(0)} B |`,
  );
}

// 2. Login throughput.
const concurrency = Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 8);
const seconds = Number(process.env.BENCH_LOGIN_SECONDS ?? 10);
const database = await createTestDatabase();
const dataDir = await mkdtemp(join(tmpdir(), 'nestflux-capacity-'));
const listener = await bindLoopbackServer();
const baseUrl = listener.baseUrl;
const running = await startSampleApp(
  // Every login comes from 127.0.0.1: the default limit (20 a minute per address) would stop the walk.
  {
    PORT: String(listener.port),
    BASE_URL: baseUrl,
    DATA_DIR: dataDir,
    AUTH_SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghijkl',
    AUTH_RATE_LIMIT: '100000/60s',
  },
  { devProviderAutoLogin: true, quiet: true, database: { url: database.url, poolSize: database.poolSize }, server: listener.server },
);
let loginText: string;
try {
  await signIn(baseUrl, 'warm-up');
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const { final } = await signIn(baseUrl, `login-${next++}`);
        await final.arrayBuffer();
        if (final.status === 302) latencies.push(performance.now() - t);
        else failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss / 2 ** 20;
  loginText =
    `Login callback throughput: **${(latencies.length / elapsed).toFixed(0)} completed logins/s** (${latencies.length} in ${elapsed.toFixed(1)} s, ${concurrency} at once, ` +
    `each a new user; p50 ${latencies[Math.floor(latencies.length / 2)].toFixed(0)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)].toFixed(0)} ms per whole walk; ` +
    `${failures} failed; ${database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}; the provider runs in the same process; RSS afterwards ${rss.toFixed(0)} MB).`;
} finally {
  await running.close();
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
}

const day = new Date().toISOString().slice(0, 10);
const text = [
  `**${day}** · Node ${process.version} · ${cpus().length} CPUs (${cpus()[0]?.model.trim()})`,
  '',
  '| what | entries | heap | per entry |',
  '|---|---:|---:|---:|',
  ...lines,
  '',
  loginText,
].join('\n');
console.log(text);
if (process.env.BENCH_WRITE_README !== '0') await writeReadmeSection('capacity', text);
setTimeout(() => process.exit(), 2_000).unref();
