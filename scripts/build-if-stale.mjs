// `npm start` and `npm run sync` run this first: it builds the library and the sample app
// (`tsc -b sample-app`) only when a source is newer than the last successful build. An
// up-to-date start then loads no compiler at all (tsc costs seconds and ~270 MB even when it
// finds nothing to do), so a cron-run `npm run sync` starts in about a second.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (path) => join(root, path);

/** Written after each successful build, dated when that build started. */
const stamp = at('sample-app/dist/.build-stamp');
const outputs = ['dist/index.js', 'dist/index.d.ts', 'sample-app/dist/main.js', 'sample-app/dist/sync.js', 'sample-app/dist/cli.js'].map(
  at,
);
const sourceDirs = ['lib', 'sample-app/src'].map(at);
const configFiles = [
  'tsconfig.base.json',
  'tsconfig.build.json',
  'sample-app/tsconfig.json',
  'package.json',
  'sample-app/package.json',
].map(at);

function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !/\.(e2e-)?spec\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  sourceDirs.forEach(visit);
  for (const file of configFiles) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

function isFresh() {
  if (!existsSync(stamp) || !outputs.every((file) => existsSync(file))) return false;
  return newestSource() <= statSync(stamp).mtimeMs;
}

if (!isFresh()) {
  const startedAt = new Date();
  console.error('build: sources changed since the last build, compiling (tsc -b sample-app)…');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', 'sample-app'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('build: failed, see the compiler output above');
    process.exit(result.status ?? 1);
  }
  // Dated at the build's start: a file saved while tsc ran counts as changed next time.
  closeSync(openSync(stamp, 'w'));
  utimesSync(stamp, startedAt, startedAt);
}
