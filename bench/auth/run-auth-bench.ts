import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET } from '../../sample-app/src/config/sample-config.js';
import { bearerAccessToken, forgedSignature, SESSION_COOKIE, sessionCookie } from './credentials.js';
import { freePort } from './free-port.js';
import { measure, type LoadResult, type LoadSettings } from './load.js';
import { installQueryCounter } from './query-counter.js';

/**
 * Per-request authentication cost of the sample app: throughput and latency of /api/profile by
 * credential kind, as ratios of a framework-only baseline (a 404) measured in the same run.
 *
 *   npm run build && node dist/bench/auth/run-auth-bench.js
 *
 * DATABASE_URL set: that PostgreSQL (pool 10); unset: embedded PGlite (pool 1). BENCH_SECONDS,
 * BENCH_WARMUP_SECONDS and BENCH_CONNECTIONS override the defaults (8, 1, 10). Total ≈ 8 s boot + 7 × 1 s
 * warm-up of every path + 8 rows × (1 + 8) s ≈ 90 s.
 */
interface Scenario {
  label: string;
  path: string;
  headers: Record<string, string>;
  expect: number;
}

const settings: LoadSettings = {
  seconds: positive(process.env.BENCH_SECONDS, 8),
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
    { label: '`GET /health` (public, DB ping)', path: '/health', headers: {}, expect: 200 },
    { label: '`GET /api/profile` session cookie', path: '/api/profile', headers: { cookie: `${SESSION_COOKIE}=${sid}` }, expect: 200 },
    { label: '`GET /api/profile` bearer JWT', path: '/api/profile', headers: { authorization: `Bearer ${token}` }, expect: 200 },
    { label: '`GET /api/profile` no credentials', path: '/api/profile', headers: {}, expect: 401 },
    { label: '`GET /api/profile` garbage bearer', path: '/api/profile', headers: { authorization: 'Bearer not-a-jwt' }, expect: 401 },
    { label: '`GET /api/profile` bearer, forged signature', path: '/api/profile', headers: { authorization: `Bearer ${forgedSignature(token)}` }, expect: 401 },
    { label: '`GET /nope` again (drift check)', path: '/nope', headers: {}, expect: 404 },
  ];
  for (const s of scenarios) {
    const res = await fetch(`${baseUrl}${s.path}`, { headers: s.headers });
    await res.arrayBuffer();
    if (res.status !== s.expect) throw new Error(`${s.path} answered ${res.status}, expected ${s.expect} (${s.label})`);
  }
  // A cold process (JIT, pools, caches) would handicap whichever row runs first: warm every path once.
  process.stderr.write('warming up every path…\n');
  for (const s of scenarios.slice(0, -1)) await measure(`${baseUrl}${s.path}`, s.headers, { ...settings, warmupSeconds: 0, seconds: 1 });
  const results: LoadResult[] = [];
  for (const s of scenarios) {
    process.stderr.write(`measuring ${s.label}…\n`);
    results.push(await measure(`${baseUrl}${s.path}`, s.headers, settings, queryCount));
  }
  const database = databaseUrl ? `PostgreSQL ${await serverVersion(running)} via DATABASE_URL, pool 10` : 'embedded PGlite, pool 1';
  console.log(report(database, scenarios, results));
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

function report(database: string, scenarios: Scenario[], results: LoadResult[]): string {
  const baseline = results[0].requestsPerSecond;
  const lines = [
    `**${database}** · Node ${process.version} · ${cpus().length} CPUs · ${settings.connections} connections · ` +
      `every path warmed 1 s, then ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per row · ` +
      'load from an autocannon worker thread in the same process · × baseline = req/s ÷ first row\'s req/s',
    '',
    '| request | req/s | × baseline | p50 ms | p99 ms | DB queries / req | responses |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  scenarios.forEach((s, i) => {
    const r = results[i];
    const other = Object.entries(r.statuses).filter(([code]) => Number(code) !== s.expect);
    const responses = [`${r.statuses[s.expect] ?? 0} × ${s.expect}`, ...other.map(([code, n]) => `**${n} × ${code}**`)];
    if (r.errors > 0) responses.push(`**${r.errors} errors**`);
    lines.push(`| ${s.label} | ${Math.round(r.requestsPerSecond)} | ${(r.requestsPerSecond / baseline).toFixed(2)} | ${r.latencyP50} | ${r.latencyP99} | ${(r.probed / Math.max(1, r.total)).toFixed(2)} | ${responses.join(', ')} |`);
  });
  return lines.join('\n');
}

async function serverVersion(app: RunningSampleApp): Promise<string> {
  const [row] = (await app.app.get(DataSource).query('SHOW server_version')) as Array<{ server_version: string }>;
  return row.server_version.split(' ')[0];
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : fallback;
}
