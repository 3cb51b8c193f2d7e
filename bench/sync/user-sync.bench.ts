import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { runAuthMigrations } from '../../lib/database/auth-migration-runner.js';
import { authEntities, authMigrations } from '../../lib/database/auth-schema.js';
import { formatSyncSummary, type SyncRunSummary } from '../../lib/sync/sync-run-summary.js';
import { resolveUserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { createDirectorySource } from '../../lib/sync/user-sync.providers.js';
import { UserSyncService } from '../../lib/sync/user-sync.service.js';
import { BENCH_TOKEN, serveAuthentikListing } from './fake-authentik-listing.js';
import { naiveSync } from './naive-sync.js';

/**
 * User-sync benchmark (see bench/README.md, "User sync"): a fake Authentik listing of USERS users
 * on loopback, served by a child process so the RSS measured here is the sync's alone.
 *   npm run bench:sync
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_USERS (100000),
 * BENCH_NAIVE_USERS (5000), BENCH_PAGE_CAP (100).
 */
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const NAIVE_USERS = Number(process.env.BENCH_NAIVE_USERS ?? 5_000);
const PAGE_CAP = Number(process.env.BENCH_PAGE_CAP ?? 100);
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ISSUER = 'https://authentik.bench.example/application/o/app/';

type ChildMessage = { port: number } | { changed: true };

if (process.argv[2] === 'serve') {
  const { ready, changes } = serveAuthentikListing(USERS, PAGE_CAP);
  process.on('message', (message: string) => {
    if (message === 'change') {
      changes.renamed = true;
      changes.disabledAndDeleted = true;
      process.send?.({ changed: true });
    }
    if (message === 'exit') process.exit(0);
  });
  ready.then((port) => process.send?.({ port }));
} else {
  await main();
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: 'inherit' });
  const next = () => new Promise<ChildMessage>((resolve) => child.once('message', (m) => resolve(m as ChildMessage)));
  const { port } = (await next()) as { port: number };
  const dbName = `nestflux_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${dbName}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${dbName}`;
  const dataSource = new DataSource({ type: 'postgres', url: url.toString(), entities: authEntities, extra: { max: 10 } });
  try {
    await dataSource.initialize();
    await runAuthMigrations(dataSource, authMigrations);
    const options = resolveUserSyncOptions({ source: 'authentik', url: `http://127.0.0.1:${port}`, token: BENCH_TOKEN, issuer: ISSUER, importUsers: true, pageSize: 1000, cron: 'off' });
    const source = createDirectorySource(options);
    const service = new UserSyncService(dataSource, source, options);
    const rss = trackPeakRss();
    const baselineRss = process.memoryUsage().rss;

    const first = await service.runOnce();
    child.send('change');
    await next();
    const second = await service.runOnce();
    const peakRss = rss.stop();

    const naiveStart = performance.now();
    const naiveCount = await naiveSync(dataSource, source, 'https://naive.bench.example/', NAIVE_USERS);
    const naiveMs = performance.now() - naiveStart;

    report(first, second, baselineRss, peakRss, naiveCount, naiveMs);
  } finally {
    child.send('exit');
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

function report(first: SyncRunSummary, second: SyncRunSummary, baselineRss: number, peakRss: number, naiveCount: number, naiveMs: number): void {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const perUser = (ms: number, users: number) => (ms / users).toFixed(3);
  const firstPerUser = first.durationMs / first.fetched;
  const naivePerUser = naiveMs / naiveCount;
  console.log(`users listed: ${USERS}, page size capped at ${PAGE_CAP}, database ${new URL(SERVER_URL).host}`);
  console.log(`first pass (import):  ${formatSyncSummary(first)}  (${perUser(first.durationMs, first.fetched)} ms/user)`);
  console.log(`second pass (10% renamed, 1% disabled, 1% deleted): ${formatSyncSummary(second)}`);
  console.log(`peak RSS during both passes: ${mb(peakRss)} (at start ${mb(baselineRss)})`);
  console.log(`naive import (findOne + save per user, TypeORM), ${naiveCount} users: ${naiveMs.toFixed(0)} ms (${perUser(naiveMs, naiveCount)} ms/user)`);
  console.log(`speed-up of the first pass over the naive way, per user: ${(naivePerUser / firstPerUser).toFixed(1)}x`);
  console.log(`naive way extrapolated to ${USERS} users: ${((naivePerUser * USERS) / 1000).toFixed(1)} s`);
}

function trackPeakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
