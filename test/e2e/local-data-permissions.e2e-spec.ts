import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSampleAppUnderTest } from '../support/sample-app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

/**
 * The embedded data directory holds the generated session secret (which signs every session)
 * and the dev provider's key: readable by their owner only. A secret file others can read is
 * refused at start, naming the file and the fix. (The app runs without AUTH_SESSION_SECRET
 * here, so it generates and keeps its secret under DATA_DIR.)
 */
describe.each(process.platform === 'win32' ? [] : [true])('local data is private to its owner', () => {
  let db: TestDatabase;
  let parent: string;
  let dataDir: string;
  let secretFile: string;
  const start = () => startSampleAppUnderTest({ DATA_DIR: dataDir, AUTH_SESSION_SECRET: undefined }, db);

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'nestflux-data-'));
    dataDir = join(parent, 'data');
    secretFile = join(dataDir, 'session-secret');
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('creates the data directory 0700 and the generated session secret 0600', async () => {
    const sut = await start();
    await sut.close();
    expect((await mode(dataDir)).toString(8)).toBe('700');
    expect((await mode(secretFile)).toString(8)).toBe('600');
    expect((await mode(join(dataDir, 'dev-provider-signing-key.json'))).toString(8)).toBe('600');
  });

  it('tightens an existing data directory that others can enter to 0700', async () => {
    await mkdir(dataDir);
    await chmod(dataDir, 0o755);
    const sut = await start();
    await sut.close();
    expect((await mode(dataDir)).toString(8)).toBe('700');
  });

  it.each([
    ['644', 0o644],
    ['640', 0o640],
    ['604', 0o604],
  ])('refuses a session secret file with mode %s, naming the file and chmod 600', async (_, loose) => {
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(secretFile, 'an-existing-secret-of-at-least-32-characters-0123456789');
    await chmod(secretFile, loose);
    let outcome: unknown = 'started';
    try {
      const sut = await start();
      await sut.close();
    } catch (error) {
      outcome = error;
    }
    expect(outcome).toMatchObject({ name: 'SampleConfigError', variable: 'AUTH_SESSION_SECRET' });
    expect((outcome as Error).message).toContain(secretFile);
    expect((outcome as Error).message).toContain(`chmod 600 ${secretFile}`);
  });

  it('starts with an existing 0600 secret file and keeps using it', async () => {
    await mkdir(dataDir, { mode: 0o700 });
    const secret = 'an-existing-secret-of-at-least-32-characters-0123456789';
    await writeFile(secretFile, secret, { mode: 0o600 });
    const sut = await start();
    try {
      expect(sut.running.config.sessionSecret).toBe(secret);
    } finally {
      await sut.close();
    }
  });
});
