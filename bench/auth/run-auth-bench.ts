import 'reflect-metadata';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { JWK } from 'jose';
import { DataSource } from 'typeorm';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET } from '../../sample-app/src/config/sample-config.js';
import { freePort } from '../../test/support/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { discoverBaselineConfig } from './baselines/baseline-config.js';
import { startJoseGuardApp } from './baselines/jose-guard.app.js';
import { startPassportRecipe } from './baselines/passport-recipe.app.js';
import { profileFile, profiled, summarizeProfile } from './cpu-profile.js';
import { bearerAccessToken, SESSION_COOKIE, sessionCookie } from './credentials.js';
import { TokenMinter, tokenAt } from './fresh-tokens.js';
import { LoadGenerator, type LoadRequest, type LoadResult } from './load.js';
import { installQueryCounter } from './query-counter.js';
import { writeReadmeSection } from './readme-section.js';
import { requestPathReport, type Row } from './report.js';

/**
 * What authentication costs per request, against the open route and two baselines, in one run:
 *
 *   npm run bench                      # PostgreSQL if DATABASE_URL is set, else embedded PGlite
 *   BENCH_PROFILE=1 npm run bench      # then a CPU profile of each authenticated route
 *
 * Rows run interleaved, round after round, so a neighbour's load on a shared machine hits every
 * row alike; ratios are taken within a round. See bench/README.md for what each row means.
 */
// Many short rounds: on a shared machine the neighbours' load changes by the second, and a median
// over many interleaved slices is steadier than one over a few long ones.
const rounds = Math.round(positive(process.env.BENCH_ROUNDS, 10));
const seconds = positive(process.env.BENCH_SECONDS, 1.5);
const warmupSeconds = positive(process.env.BENCH_WARMUP_SECONDS, 0.5);
const connections = Math.round(positive(process.env.BENCH_CONNECTIONS, 32));
const profileSeconds = process.env.BENCH_PROFILE === '1' ? positive(process.env.BENCH_PROFILE_SECONDS, 3) : 0;
const writeReadme = process.env.BENCH_WRITE_README !== '0';

interface BenchRow extends Row {
  url: string;
  headers: Record<string, string>;
  fresh?: { stream: string; wraps: boolean };
  /** Profiled in BENCH_PROFILE mode. */
  authenticated: boolean;
}

const started = Date.now();
const queryCount = installQueryCounter();
const dataDir = await mkdtemp(join(tmpdir(), 'nestflux-bench-'));
let database: TestDatabase | undefined;
let running: RunningSampleApp | undefined;
let load: LoadGenerator | undefined;
const baselines: INestApplication[] = [];
try {
  database = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  running = await startSampleApp(
    { PORT: String(port), BASE_URL: baseUrl, DATA_DIR: dataDir, AUTH_SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghijkl' },
    { devProviderAutoLogin: true, quiet: true, database: { url: database.url, poolSize: database.poolSize } },
  );
  const app = `http://127.0.0.1:${port}`;
  const sid = await sessionCookie(baseUrl, 'alice');
  const token = await bearerAccessToken({
    issuer: running.config.issuerUrl,
    clientId: DEV_CLIENT_ID,
    clientSecret: DEV_CLIENT_SECRET,
    redirectUri: `${baseUrl}/auth/callback`,
    login: 'alice',
  });
  const baselineConfig = await discoverBaselineConfig(running.config.issuerUrl, running.config.audience);
  const passport = await startPassportRecipe(baselineConfig);
  const jose = await startJoseGuardApp(baselineConfig);
  baselines.push(passport.app, jose.app);

  const rows: BenchRow[] = [
    { label: '`GET /api/public` open route (**1.00**)', url: `${app}/api/public`, headers: {}, expect: 200, authenticated: false },
    {
      label: '`GET /api/profile` bearer, one repeated token',
      url: `${app}/api/profile`,
      headers: { authorization: `Bearer ${token}` },
      expect: 200,
      target: 0.9,
      authenticated: true,
    },
    {
      label: '`GET /api/profile` bearer, never-repeated tokens',
      url: `${app}/api/profile`,
      headers: {},
      fresh: { stream: 'app', wraps: false },
      expect: 200,
      target: 0.7,
      authenticated: true,
    },
    {
      label: '`GET /api/profile` session cookie',
      url: `${app}/api/profile`,
      headers: { cookie: `${SESSION_COOKIE}=${sid}` },
      expect: 200,
      target: 0.85,
      authenticated: true,
    },
    {
      label: 'baseline: @nestjs/passport + passport-jwt + jwks-rsa, never-repeated tokens',
      url: `${passport.url}/api/profile`,
      headers: {},
      fresh: { stream: 'passport', wraps: true },
      expect: 200,
      authenticated: true,
    },
    {
      label: 'baseline: plain jose guard, never-repeated tokens',
      url: `${jose.url}/api/profile`,
      headers: {},
      fresh: { stream: 'jose', wraps: true },
      expect: 200,
      authenticated: true,
    },
  ];

  // Distinct tokens for every second the app's never-repeated row runs, at up to 1.3× the open
  // route's rate (it cannot be faster), topped up between rows should the machine speed up.
  load = new LoadGenerator();
  const jwk = JSON.parse(await readFile(join(dataDir, 'dev-provider-signing-key.json'), 'utf8')) as JWK;
  const minter = new TokenMinter(token, jwk);
  let appTokensUsed = 1; // token 0 goes to the pre-flight check
  const ensureTokens = async (openRate: number, runs: number, runSeconds: number) => {
    const needed = Math.ceil(openRate * 1.3 * runs * runSeconds) + 2 * connections;
    const missing = needed - (minter.count - appTokensUsed);
    if (missing <= 0) return;
    const signingStarted = Date.now();
    load!.addTokens(await minter.mint(missing));
    process.stderr.write(`bench: signed ${missing} distinct tokens in ${((Date.now() - signingStarted) / 1000).toFixed(1)} s\n`);
  };
  const calibration = await load.measure(request(rows[0], 1, 1));
  const firstPool = await minter.mint(1);
  load.addTokens(firstPool);
  await ensureTokens(calibration.requestsPerSecond, rounds, warmupSeconds + seconds);

  // Every row answers as expected before anything is measured; token 0 is spent on the check.
  for (const row of rows) {
    const headers = row.fresh ? { authorization: `Bearer ${tokenAt(firstPool, 0)}` } : row.headers;
    const res = await fetch(row.url, { headers });
    const body = await res.text();
    if (res.status !== row.expect) throw new Error(`${row.url} answered ${res.status}, expected ${row.expect} (${row.label}): ${body}`);
  }
  if (!(await (await fetch(`${app}/api/public`)).text()).includes('"public":true'))
    throw new Error('GET /api/public is not the open route');

  const results: LoadResult[][] = rows.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`bench: round ${round}/${rounds}…\n`);
    for (const [i, row] of rows.entries()) {
      if (row.fresh?.stream === 'app') await ensureTokens(results[0][round - 1].requestsPerSecond, 1, warmupSeconds + seconds);
      const result = await load.measure(request(row, warmupSeconds, seconds), queryCount);
      if (row.fresh?.stream === 'app') appTokensUsed = result.tokensUsed;
      results[i].push(result);
    }
  }
  const dbLabel =
    database.kind === 'postgres'
      ? `PostgreSQL ${await serverVersion(running)} (DATABASE_URL), pool ${database.poolSize}`
      : `embedded PGlite, pool ${database.poolSize}`;
  const day = new Date().toISOString().slice(0, 10);
  const heading =
    `**${day}**, ${dbLabel} · Node ${process.version} · ${cpus().length} CPUs (${cpus()[0]?.model.trim()}) · ${connections} connections · ` +
    `${rounds} interleaved rounds of ${warmupSeconds} s warm-up + ${seconds} s measured per row · ${appTokensUsed} distinct tokens used (${minter.count} signed)`;
  const table = requestPathReport(heading, rows, results);
  console.log(`\n${table}\n`);
  if (writeReadme) {
    const file = await writeReadmeSection(`request-path-${database.kind}`, table);
    if (file) process.stderr.write(`bench: figures written to ${file}\n`);
  }

  if (profileSeconds > 0) {
    const dir = join(tmpdir(), `nestflux-bench-profiles-${day}`);
    await mkdir(dir, { recursive: true });
    const summaries: string[] = [];
    for (const row of rows.filter((r) => r.authenticated)) {
      if (row.fresh?.stream === 'app') await ensureTokens(results[0][rounds - 1].requestsPerSecond, 1, warmupSeconds + profileSeconds);
      const file = profileFile(dir, `${database.kind}-${row.label}`);
      const { result, profile } = await profiled(file, () => load!.measure(request(row, warmupSeconds, profileSeconds)));
      if (row.fresh?.stream === 'app') appTokensUsed = result.tokensUsed;
      summaries.push(summarizeProfile(row.label, profile));
      process.stderr.write(`bench: profile written to ${file}\n`);
    }
    const text = [
      `**${day}**, ${dbLabel}, ${connections} connections, ${profileSeconds} s sampled per route (200 µs interval), self time as a share of the busy samples.`,
      ...summaries,
    ].join('\n\n');
    console.log(`\n${text}\n`);
    if (writeReadme) await writeReadmeSection(`profiles-${database.kind}`, text);
  }
  console.log(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await load?.close();
  for (const baseline of baselines) await baseline.close();
  await running?.close();
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
  // Everything is closed; should a library handle linger, still finish instead of hanging.
  setTimeout(() => {
    console.error('bench: open handles after close, exiting');
    process.exit();
  }, 5_000).unref();
}

function request(row: BenchRow, warmup: number, measured: number): LoadRequest {
  return {
    url: row.url,
    headers: row.headers,
    connections,
    warmupSeconds: warmup,
    seconds: measured,
    // Token 0 went to the pre-flight check.
    freshTokens: row.fresh ? { ...row.fresh, start: 1 } : undefined,
  };
}

async function serverVersion(app: RunningSampleApp): Promise<string> {
  const [row] = await app.app.get(DataSource).query<Array<{ server_version: string }>>('SHOW server_version');
  return row.server_version.split(' ')[0];
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : fallback;
}
