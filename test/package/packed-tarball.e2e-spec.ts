import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevIdentityProvider } from '../../sample-app/src/dev-identity-provider/index.js';
import { signIn } from '../support/sample-app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startHostProcess, type HostProcess } from './host-process.js';
import { compileHostApp, installHostApp, packLibrary, type RunResult } from './pack-and-install.js';

/**
 * The package as someone who is not us gets it: `npm pack` (prepack builds), the tarball
 * installed into a scratch folder outside the repository next to the README's packages only,
 * a host app type-checked against the published .d.ts files (no path mapping, no deep import),
 * booted against a real oidc-provider on loopback, and signed in to.
 */
describe('the packed tarball in a host app outside the repository', () => {
  let scratch: string;
  let hostDir: string;
  let files: string[];
  let compiled: RunResult;
  let db: TestDatabase;
  let providerServer: Server;
  let host: HostProcess;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'nestflux-package-'));
    hostDir = join(scratch, 'host');
    await mkdir(join(scratch, 'pack'));
    let tarball: string;
    ({ tarball, files } = await packLibrary(join(scratch, 'pack')));
    await installHostApp(hostDir, tarball);
    compiled = await compileHostApp(hostDir);

    // The provider's port first (its issuer goes into the host's boot options); the provider
    // itself once the host's port, hence its redirect URI, is known. Until then it answers 503,
    // and the host retries discovery on its own.
    // eslint-disable-next-line prefer-const -- set once the server listens (the issuer names its port)
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    providerServer = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
    await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
    db = await createTestDatabase();
    host = await startHostProcess(hostDir, {
      HOST_ISSUER_URL: issuer,
      HOST_CLIENT_ID: 'host-app',
      HOST_CLIENT_SECRET: 'host-app-secret',
      HOST_DATABASE_URL: db.url,
      HOST_DB_POOL_SIZE: String(db.poolSize),
    });
    const dev = await createDevIdentityProvider({
      issuer,
      clients: [{ clientId: 'host-app', clientSecret: 'host-app-secret', redirectUris: [`${host.url}/auth/callback`] }],
      accessTokenAudience: 'host-app',
      autoLoginHint: true,
    });
    handler = dev.handler;
  }, 300_000);

  afterAll(async () => {
    await host?.stop();
    providerServer?.closeAllConnections();
    await new Promise((resolve) => providerServer?.close(resolve));
    await db?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('ships dist/ with types and source maps, README and CHANGELOG; nothing from lib/, test/, bench/ or sample-app/', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map']),
    );
    expect(files.filter((file) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$)/.test(file))).toEqual([]);
    expect(files.filter((file) => /\.spec\.|tsbuildinfo/.test(file))).toEqual([]);
  });

  it('carries the TypeScript sources inside its source maps', async () => {
    const map = JSON.parse(await readFile(join(hostDir, 'node_modules/@nestflux/auth/dist/auth.module.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: string[];
    };
    expect(map.sourcesContent?.[0]).toContain('export class AuthModule');
  });

  it('declares exports with types first, ESM, no side effects', async () => {
    const manifest = JSON.parse(await readFile(join(hostDir, 'node_modules/@nestflux/auth/package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys((manifest.exports as Record<string, Record<string, string>>)['.'])[0]).toBe('types');
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
  });

  it('type-checks the host against the published .d.ts files without @types/express', () => {
    expect(existsSync(join(hostDir, 'node_modules/@types/express'))).toBe(false);
    expect(compiled.stdout).toMatch(/^types ok: \d+ files checked \(\d+ of @nestflux\/auth\)/);
  });

  it('boots the host and signs a user in through the provider', async () => {
    expect((await fetch(`${host.url}/hello`)).status).toBe(200);
    expect((await fetch(`${host.url}/whoami`)).status).toBe(401);
    // The host met a provider answering 503 at boot: poll until its discovery has caught up.
    const deadline = Date.now() + 20_000;
    let login = await fetch(`${host.url}/auth/login`, { redirect: 'manual' });
    while (login.status !== 302 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      login = await fetch(`${host.url}/auth/login`, { redirect: 'manual' });
    }
    expect(login.status).toBe(302);

    const { agent, final } = await signIn(host.url, 'alice');
    expect(final.status).toBe(302);
    const whoami = await agent.request(`${host.url}/whoami`);
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toEqual({ sub: 'alice', email: 'alice@example.test', roles: [] });
    expect((await agent.request(`${host.url}/admin`)).status).toBe(403);
  });
});
