import { spawn } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where the library's package.json is). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * What a host installs next to the tarball: the README's install line plus what every Nest app
 * has. Versions are the ones installed here, so npm finds them in its cache (--prefer-offline).
 */
const HOST_PACKAGES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/typeorm',
  '@nestjs/schedule',
  'typeorm',
  'pg',
  'reflect-metadata',
  'rxjs',
];
const HOST_DEV_PACKAGES = ['@types/node'];

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects with its output when it exits non-zero. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`));
    });
  });
}

/** `npm pack` of the repository (its prepack builds); returns the tarball's path and file list. */
export async function packLibrary(destination: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], repoRoot);
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(destination, packed.filename), files: packed.files.map((file) => file.path) };
}

async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Writes the host app (test/package/host-app) into `dir` with a package.json that depends on the
 * tarball and the host packages only, and installs it from npm's cache where it can.
 */
export async function installHostApp(dir: string, tarball: string): Promise<void> {
  await cp(join(repoRoot, 'test', 'package', 'host-app'), dir, { recursive: true });
  const versions = async (names: string[]): Promise<Record<string, string>> =>
    Object.fromEntries(await Promise.all(names.map(async (name) => [name, await installedVersion(name)] as const)));
  const manifest = {
    name: 'nestflux-host-app',
    private: true,
    type: 'module',
    dependencies: { '@nestflux/auth': `file:${tarball}`, ...(await versions(HOST_PACKAGES)) },
    devDependencies: await versions(HOST_DEV_PACKAGES),
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dir);
}

/** Type-checks and compiles the host with the repository's TypeScript (see host-app/check-types.mjs). */
export function compileHostApp(dir: string): Promise<RunResult> {
  return run(process.execPath, ['check-types.mjs', join(repoRoot, 'node_modules', 'typescript')], dir);
}
