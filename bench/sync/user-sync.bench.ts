import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { authEntities } from '@nestflux/auth';
import { summariseCpuProfile } from './cpu-profile-summary.js';
import { BENCH_TOKEN, serveAuthentikListing } from './fake-authentik-listing.js';
import { fakeAuthentikUsers, naiveSync } from './naive-sync.js';
import { runSyncProcess, type SyncProcessResult } from './sync-process.js';

/**
 * User-sync benchmark (bench/README.md, "User sync"): `npm run sync` processes, timed from spawn
 * to exit as a user runs them (built CLI, no compile), against a fake Authentik listing of USERS
 * users (page size capped at PAGE_CAP) served by a child process, on a throwaway PostgreSQL
 * database. Then the naive per-row import, in this process, on the same database.
 *   npm run bench:sync   (builds the library, the sample app and this bench first)
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_USERS (100000),
 * BENCH_NAIVE_USERS (3000; 0 skips it), BENCH_PAGE_CAP (100), BENCH_PROFILE (1: a third, profiled
 * import run), BENCH_RESYNC (0: import only).
 */
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const NAIVE_USERS = Number(process.env.BENCH_NAIVE_USERS ?? 3_000);
const PAGE_CAP = Number(process.env.BENCH_PAGE_CAP ?? 100);
const PROFILE = process.env.BENCH_PROFILE === '1';
/** 0: the import run only (for the one-off 1,000,000-user measurement). */
const RESYNC = process.env.BENCH_RESYNC !== '0';
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ISSUER = 'https://authentik.bench.example/application/o/app/';

type ChildMessage = { port: number } | { changed: true };

if (process.argv[2] === 'serve') {
  const { ready, changes } = serveAuthentikListing(USERS, PAGE_CAP);
  process.on('message', (message: string) => {
    if (message === 'change' || message === 'reset') {
      changes.renamed = message === 'change';
      changes.disabledAndDeleted = message === 'change';
      process.send?.({ changed: true });
    }
    if (message === 'exit') process.exit(0);
  });
  void ready.then((port) => process.send?.({ port }));
} else {
  await main();
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: 'inherit' });
  const next = () => new Promise<ChildMessage>((resolve) => child.once('message', (m) => resolve(m as ChildMessage)));
  const { port } = (await next()) as { port: number };
  const databases: string[] = [];
  const database = async () => {
    const name = `nestflux_bench_${randomBytes(4).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const env = (databaseUrl: string) => ({
    DATABASE_URL: databaseUrl,
    OIDC_ISSUER_URL: ISSUER,
    AUTH_SYNC_SOURCE: 'authentik',
    AUTH_SYNC_URL: `http://127.0.0.1:${port}`,
    AUTH_SYNC_TOKEN: BENCH_TOKEN,
    AUTH_SYNC_IMPORT: 'true',
    OIDC_ROLES_CLAIM: 'groups',
  });
  try {
    const dbUrl = await database();
    const imported = await runSyncProcess(env(dbUrl));
    check(imported, 'import');
    let resynced: SyncProcessResult | undefined;
    if (RESYNC) {
      child.send('change');
      await next();
      resynced = await runSyncProcess(env(dbUrl));
      check(resynced, 're-sync');
      child.send('reset');
      await next();
    }
    const naive = NAIVE_USERS > 0 ? await naiveRun(dbUrl, port) : undefined;
    report(imported, resynced, naive);

    if (PROFILE) {
      const profileDir = await mkdtemp(join(tmpdir(), 'nestflux-sync-prof-'));
      const profiled = await runSyncProcess(env(await database()), { cpuProfileDir: profileDir });
      check(profiled, 'profiled import');
      console.log(`\nprofiled import (--cpu-prof): ${lastLine(profiled)}, ${(profiled.wallMs / 1000).toFixed(2)} s wall`);
      console.log(await summariseCpuProfile(profileDir));
      await rm(profileDir, { recursive: true, force: true });
    }
  } finally {
    child.send('exit');
    for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The naive way, in this process on the same database (another issuer): per user findOne + save. */
async function naiveRun(databaseUrl: string, port: number): Promise<{ users: number; ms: number }> {
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, entities: authEntities, extra: { max: 4 } });
  await dataSource.initialize();
  try {
    const started = performance.now();
    const users = await naiveSync(dataSource, fakeAuthentikUsers(port, BENCH_TOKEN), 'https://naive.bench.example/', NAIVE_USERS);
    return { users, ms: performance.now() - started };
  } finally {
    await dataSource.destroy();
  }
}

function check(run: SyncProcessResult, what: string): void {
  if (run.code !== 0) throw new Error(`${what}: npm run sync exited ${run.code}\n${run.stderr}\n${run.stdout}`);
}

function lastLine(run: SyncProcessResult): string {
  return run.stdout.trim().split('\n').at(-1) ?? '';
}

function report(
  imported: SyncProcessResult,
  resynced: SyncProcessResult | undefined,
  naive: { users: number; ms: number } | undefined,
): void {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const per1000 = (ms: number) => `${((ms / USERS) * 1000).toFixed(0)} ms`;
  console.log(
    `users listed: ${USERS}, page size capped at ${PAGE_CAP}, database ${new URL(SERVER_URL).host}, Node ${process.version}, ${cpus().length} CPUs`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `import   (npm run sync, spawn to exit): ${s(imported.wallMs)} wall, ${s(imported.cpuMs)} CPU, peak RSS ${mb(imported.maxRssBytes)}, ` +
      `per 1,000 users ${per1000(imported.wallMs)} wall / ${per1000(imported.cpuMs)} CPU / ${(((imported.maxRssBytes / USERS) * 1000) / 1024).toFixed(1)} KB RSS · ${lastLine(imported)}`,
  );
  if (resynced) {
    console.log(
      `re-sync  (10% renamed, 1% disabled, 1% deleted): ${s(resynced.wallMs)} wall, ${s(resynced.cpuMs)} CPU, peak RSS ${mb(resynced.maxRssBytes)} · ${lastLine(resynced)}`,
    );
  }
  if (naive) {
    const naivePerUser = naive.ms / naive.users;
    console.log(
      `naive    (findOne + save per user, TypeORM), ${naive.users} users: ${s(naive.ms)} = ${naivePerUser.toFixed(2)} ms/user, ≈ ${s(naivePerUser * USERS)} for ${USERS}`,
    );
    console.log(`import vs naive, per user: ${(naivePerUser / (imported.wallMs / USERS)).toFixed(1)}×`);
  }
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
