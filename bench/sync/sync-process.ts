import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** One `npm run sync` process as a user runs it: wall time from spawn to exit, peak RSS, output. */
export interface SyncProcessResult {
  code: number | null;
  wallMs: number;
  /** The process's peak resident set (getrusage maxrss), in bytes. */
  maxRssBytes: number;
  /** CPU time the process used (user + system), in ms: on a shared machine, wall time includes waiting for a core. */
  cpuMs: number;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI that `npm run sync` starts. BENCH_SYNC_CLI overrides; otherwise the first built
 * entry that exists (the sample app's own dist once it is a workspace package, else the root dist).
 */
export function syncCliPath(): string {
  const candidates = [
    process.env.BENCH_SYNC_CLI,
    'sample-app/dist/src/sync.js',
    'sample-app/dist/sync.js',
    'dist/sample-app/src/sync.js',
  ].filter((p): p is string => !!p);
  const found = candidates.map((p) => resolve(p)).find((p) => existsSync(p));
  if (!found) throw new Error(`No built sync CLI (tried ${candidates.join(', ')}): run npm run build first`);
  return found;
}

/**
 * Runs the CLI in a child process with `env` (added to a clean PATH/HOME environment). A preload
 * module writes `process.resourceUsage().maxRSS` at exit, so peak RSS is the CLI's own, measured
 * by the kernel. `cpuProfileDir` adds `--cpu-prof` there.
 */
export async function runSyncProcess(env: Record<string, string>, options: { cpuProfileDir?: string } = {}): Promise<SyncProcessResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nestflux-sync-bench-'));
  const rssFile = join(dir, 'maxrss');
  const probe = join(dir, 'rss-probe.mjs');
  await writeFile(
    probe,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(${JSON.stringify(rssFile)}, JSON.stringify(u)); });\n`,
  );
  const args = [
    '--import',
    probe,
    ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []),
    syncCliPath(),
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, DATA_DIR: dir, AUTH_SYNC_CRON: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  const wallMs = performance.now() - started;
  const usage = JSON.parse(await readFile(rssFile, 'utf8').catch(() => '{}')) as Partial<NodeJS.ResourceUsage>;
  await rm(dir, { recursive: true, force: true });
  const cpuMs = ((usage.userCPUTime ?? 0) + (usage.systemCPUTime ?? 0)) / 1000;
  return { code, wallMs, maxRssBytes: (usage.maxRSS ?? 0) * 1024, cpuMs, stdout, stderr };
}
