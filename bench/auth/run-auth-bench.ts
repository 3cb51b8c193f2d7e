import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET } from '../../sample-app/src/config/sample-config.js';
import { bearerAccessToken, forgedSignature, SESSION_COOKIE, sessionCookie } from './credentials.js';
import { freePort } from '../../test/support/free-port.js';
import { measure, type LoadResult, type LoadSettings } from './load.js';
import { installQueryCounter } from './query-counter.js';
import { authReport, type Scenario } from './report.js';

/**
 * Per-request authentication cost of the sample app: throughput and latency of /api/profile by
 * credential kind, as ratios of a framework-only baseline (a 404) measured in the same round.
 *
 *   npm run bench:auth
 *
 * DATABASE_URL set: that PostgreSQL (pool 10); unset: embedded PGlite (pool 1). The rows run
 * interleaved, round after round, so a neighbour's load on a shared machine hits every row
 * alike. BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS override the
 * defaults (3 rounds of 1 s warm-up + 2 s measured per row, 10 connections): ≈ 75 s in all.
 */
const rounds = positive(process.env.BENCH_ROUNDS, 3);
const settings: LoadSettings = {
  seconds: positive(process.env.BENCH_SECONDS, 2),
  warmupSeconds: positive(process.env.BENCH_WARMUP_SECONDS, 1),
  connections: positive(process.env.BENCH_CONNECTIONS, 10),
};

const started = Date.now();
const queryCount = installQueryCounter();
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = await mkdtemp(join(tmpdir(), 'nestflux-bench-auth-'));
let running: RunningSampleApp | undefined;
try {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  running = await startSampleApp(
    { PORT: String(port), BASE_URL: baseUrl, DATA_DIR: dataDir, AUTH_SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghijkl' },
    { devProviderAutoLogin: true, quiet: true, ...(databaseUrl ? { database: { url: databaseUrl, poolSize: 10 } } : {}) },
  );
  const sid = await sessionCookie(baseUrl, 'alice');
  const token = await bearerAccessToken({
    issuer: running.config.issuerUrl, clientId: DEV_CLIENT_ID, clientSecret: DEV_CLIENT_SECRET,
    redirectUri: `${baseUrl}/auth/callback`, login: 'alice',
  });
  const scenarios: Scenario[] = [
    { label: '`GET /nope` 404, framework only (**baseline**)', path: '/nope', headers: {}, expect: 404 },
    { label: '`GET /health` public, DB ping', path: '/health', headers: {}, expect: 200 },
    { label: '`GET /api/profile` session cookie', path: '/api/profile', headers: { cookie: `${SESSION_COOKIE}=${sid}` }, expect: 200 },
    { label: '`GET /api/profile` bearer JWT', path: '/api/profile', headers: { authorization: `Bearer ${token}` }, expect: 200 },
    { label: '`GET /api/profile` no credentials', path: '/api/profile', headers: {}, expect: 401 },
    { label: '`GET /api/profile` garbage bearer', path: '/api/profile', headers: { authorization: 'Bearer not-a-jwt' }, expect: 401 },
    { label: '`GET /api/profile` bearer, forged signature', path: '/api/profile', headers: { authorization: `Bearer ${forgedSignature(token)}` }, expect: 401 },
  ];
  for (const s of scenarios) {
    const res = await fetch(`${baseUrl}${s.path}`, { headers: s.headers });
    await res.arrayBuffer();
    if (res.status !== s.expect) throw new Error(`${s.path} answered ${res.status}, expected ${s.expect} (${s.label})`);
  }
  const results: LoadResult[][] = scenarios.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`round ${round}/${rounds}…\n`);
    for (const [i, s] of scenarios.entries()) results[i].push(await measure(`${baseUrl}${s.path}`, s.headers, settings, queryCount));
  }
  const database = databaseUrl ? `PostgreSQL ${await serverVersion(running)} via DATABASE_URL, pool 10` : 'embedded PGlite, pool 1';
  const setup = `${rounds} interleaved rounds, per row ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured`;
  console.log(authReport(`**${database}** · Node ${process.version} · ${cpus().length} CPUs · ${settings.connections} connections · ${setup}`, scenarios, results));
  console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await running?.close();
  await rm(dataDir, { recursive: true, force: true });
  // Everything is closed; should a library handle linger, still finish instead of hanging.
  setTimeout(() => {
    console.error('bench: open handles after close, exiting');
    process.exit();
  }, 5_000).unref();
}

async function serverVersion(app: RunningSampleApp): Promise<string> {
  const [row] = (await app.app.get(DataSource).query('SHOW server_version')) as Array<{ server_version: string }>;
  return row.server_version.split(' ')[0];
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}
