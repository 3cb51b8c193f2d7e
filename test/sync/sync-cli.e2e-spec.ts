import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { runSyncCli } from '../../sample-app/src/sync.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { FakeAuthentik } from './support/fake-authentik.js';
import { authentikUid, makePeople } from './support/fake-directory-server.js';
import { FakeKeycloak } from './support/fake-keycloak.js';
import { FakeScim } from './support/fake-scim.js';

const LINE = /^sync: (\d+) fetched, (\d+) updated, (\d+) created, (\d+) deactivated, (\d+) unchanged in \d+ ms$/;
const ISSUER = 'https://idp.example.test/';

describe('npm run sync (runSyncCli) against each source', () => {
  let db: TestDatabase;
  let dataDir: string;
  let authentik: FakeAuthentik;
  let keycloak: FakeKeycloak;
  let scim: FakeScim;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'nestflux-sync-cli-'));
    authentik = await new FakeAuthentik().start();
    keycloak = await new FakeKeycloak().start();
    scim = await new FakeScim().start();
    authentik.people = makePeople(30);
    keycloak.people = makePeople(12);
    scim.people = makePeople(8);
  });

  afterAll(async () => {
    await Promise.all([authentik?.close(), keycloak?.close(), scim?.close()]);
    await db?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * One short-lived connection: PGlite serves one at a time, and its socket server refuses a new
   * one until it has noticed that the CLI's pool closed, hence the retries.
   */
  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    let client = new pg.Client({ connectionString: db.url });
    for (let attempt = 1; ; attempt++) {
      try {
        await client.connect();
        break;
      } catch (error) {
        if (attempt === 20) throw error;
        await sleep(50);
        client = new pg.Client({ connectionString: db.url });
      }
    }
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function cli(env: Record<string, string>): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSyncCli(
      { DATABASE_URL: db.url, DATA_DIR: dataDir, OIDC_ISSUER_URL: ISSUER, AUTH_SYNC_CRON: 'off', ...env },
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      { poolSize: db.poolSize },
    );
    return { code, out, err };
  }

  it('Authentik: creates the tables, imports, and prints the contract line', async () => {
    const run = await cli({
      AUTH_SYNC_SOURCE: 'authentik',
      AUTH_SYNC_URL: authentik.url,
      AUTH_SYNC_TOKEN: authentik.token,
      AUTH_SYNC_IMPORT: 'true',
    });
    expect(run).toMatchObject({ code: 0, err: [expect.stringMatching(/^sync: authentik field "uid" is matched to the OIDC sub of/)] });
    expect(run.out.at(-1)).toMatch(LINE);
    // 30 people and Authentik's outpost account, which is listed but never imported.
    expect(LINE.exec(run.out.at(-1)!)!.slice(1)).toEqual(['31', '0', '30', '0', '0']);
    const [row] = await query<{ display_name: string }>(
      `SELECT u.display_name FROM auth_users u JOIN auth_identities i ON i.user_id = u.id WHERE i.issuer = $1 AND i.subject = $2`,
      [ISSUER, authentikUid(7)],
    );
    expect(row.display_name).toBe('First7 Last7');
  });

  it('AUTH_SYNC_SUBJECT_FIELD picks the matching key; AUTH_SYNC_DEACTIVATE=false deactivates nobody', async () => {
    const env = {
      OIDC_ISSUER_URL: 'https://by-username.example.test/',
      AUTH_SYNC_SOURCE: 'authentik',
      AUTH_SYNC_URL: authentik.url,
      AUTH_SYNC_TOKEN: authentik.token,
      AUTH_SYNC_SUBJECT_FIELD: 'username',
    };
    const first = await cli({ ...env, AUTH_SYNC_IMPORT: 'true' });
    expect(LINE.exec(first.out.at(-1)!)!.slice(1)).toEqual(['31', '0', '30', '0', '0']);
    authentik.people[0].active = false;
    const second = await cli({ ...env, AUTH_SYNC_DEACTIVATE: 'false' });
    authentik.people[0].active = true;
    expect(LINE.exec(second.out.at(-1)!)!.slice(1)).toEqual(['31', '0', '0', '0', '30']);
    const [row] = await query<{ active: boolean }>(
      `SELECT u.active FROM auth_users u JOIN auth_identities i ON i.user_id = u.id WHERE i.issuer = $1 AND i.subject = 'user1'`,
      [env.OIDC_ISSUER_URL],
    );
    expect(row.active).toBe(true);
  });

  it('Keycloak and SCIM: a pass completes with exit code 0', async () => {
    const kcIssuer = 'https://kc.example.test/realms/test';
    const kc = await cli({
      OIDC_ISSUER_URL: kcIssuer,
      AUTH_SYNC_SOURCE: 'keycloak',
      AUTH_SYNC_URL: keycloak.url,
      AUTH_SYNC_CLIENT_ID: keycloak.clientId,
      AUTH_SYNC_CLIENT_SECRET: keycloak.clientSecret,
      AUTH_SYNC_IMPORT: 'true',
    });
    expect(kc.code).toBe(0);
    expect(LINE.exec(kc.out.at(-1)!)!.slice(1)).toEqual(['12', '0', '12', '0', '0']);

    const scimIssuer = 'https://scim-idp.example.test/';
    // The same people; Keycloak reports no roles (stored as []), so SCIM lists no groups either.
    scim.people = keycloak.people.slice(0, 8).map((p) => ({ ...p, groups: [] }));
    await query(
      `INSERT INTO auth_identities (user_id, issuer, subject) SELECT user_id, $1, subject FROM auth_identities WHERE issuer = $2`,
      [scimIssuer, kcIssuer],
    );
    scim.people[0].firstName = 'Renamed';
    // 4 of the 12 are gone from SCIM: more than the default 10%, so the limit is raised for this run.
    const sc = await cli({
      OIDC_ISSUER_URL: scimIssuer,
      AUTH_SYNC_SOURCE: 'scim',
      AUTH_SYNC_URL: scim.url,
      AUTH_SYNC_TOKEN: scim.token,
      AUTH_SYNC_DEACTIVATE_LIMIT: '4',
    });
    expect(sc.code).toBe(0);
    expect(LINE.exec(sc.out.at(-1)!)!.slice(1)).toEqual(['8', '1', '0', '4', '7']);
  });

  it('over AUTH_SYNC_DEACTIVATE_LIMIT: exit 3, a line naming the limit, then the summary with 0 deactivated', async () => {
    const env = {
      OIDC_ISSUER_URL: 'https://by-username.example.test/',
      AUTH_SYNC_SOURCE: 'authentik',
      AUTH_SYNC_URL: authentik.url,
      AUTH_SYNC_TOKEN: authentik.token,
      AUTH_SYNC_SUBJECT_FIELD: 'username',
    };
    const people = authentik.people;
    authentik.people = people.slice(5);
    authentik.people[0] = { ...authentik.people[0], firstName: 'Renamed' };

    const held = await cli(env);
    expect(held.code).toBe(3);
    expect(held.err.at(-1)).toMatch(
      /^sync: deactivated nobody: the pass would deactivate 5 of 30 active users, more than the deactivation limit of 3 \(sync\.deactivateLimit, AUTH_SYNC_DEACTIVATE_LIMIT=10%\)/,
    );
    expect(LINE.exec(held.out.at(-1)!)!.slice(1)).toEqual(['26', '1', '0', '0', '24']);

    const allowed = await cli({ ...env, AUTH_SYNC_DEACTIVATE_LIMIT: '5' });
    authentik.people = people;
    expect(allowed.code).toBe(0);
    expect(LINE.exec(allowed.out.at(-1)!)!.slice(1)).toEqual(['26', '0', '0', '5', '25']);
    await cli(env);
  });

  it('the subject field is said before the pass', async () => {
    const run = await cli({ AUTH_SYNC_SOURCE: 'scim', AUTH_SYNC_URL: scim.url, AUTH_SYNC_TOKEN: scim.token });
    expect(run.err[0]).toBe(`sync: scim field "id" is matched to the OIDC sub of ${ISSUER} (sync.subjectField, AUTH_SYNC_SUBJECT_FIELD)`);
  });

  it('a page that keeps failing exits non-zero with an error line, and deactivates nobody', async () => {
    const before = await query<{ n: number }>(`SELECT count(*)::int AS n FROM auth_users WHERE active`);
    authentik.people.pop();
    authentik.fail((u) => u.searchParams.get('page') === '1', { status: 500, retryAfter: '0' });
    const run = await cli({ AUTH_SYNC_SOURCE: 'authentik', AUTH_SYNC_URL: authentik.url, AUTH_SYNC_TOKEN: authentik.token });
    authentik.clearFailures();
    expect(run.code).not.toBe(0);
    expect(run.err.at(-1)).toMatch(
      /^sync: failed, SYNC_SOURCE_UNAVAILABLE: GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/core\/users\/.* failed after 5 attempts/,
    );
    expect(await query<{ n: number }>(`SELECT count(*)::int AS n FROM auth_users WHERE active`)).toEqual(before);
  });

  it('a refused token exits non-zero and names the problem', async () => {
    const run = await cli({ AUTH_SYNC_SOURCE: 'authentik', AUTH_SYNC_URL: authentik.url, AUTH_SYNC_TOKEN: 'bad' });
    expect(run.code).toBe(1);
    expect(run.err.at(-1)).toMatch(
      /^sync: failed, SYNC_SOURCE_UNAUTHORIZED: Authentik refused the API token \(403 "Token invalid\/expired"\): set sync\.token \(AUTH_SYNC_TOKEN\)/,
    );
  });

  it('skips when another instance holds the pass', async () => {
    await query(`INSERT INTO auth_sync_runs (source, issuer, host) VALUES ('authentik', $1, 'other-replica:1')`, [ISSUER]);
    const run = await cli({ AUTH_SYNC_SOURCE: 'authentik', AUTH_SYNC_URL: authentik.url, AUTH_SYNC_TOKEN: authentik.token });
    await query(`DELETE FROM auth_sync_runs WHERE outcome = 'running'`);
    expect(run).toMatchObject({ code: 0, out: ['sync: skipped, another pass is running'] });
  });

  it('bad configuration exits non-zero naming the variable', async () => {
    const none = await cli({});
    expect(none.code).toBe(1);
    expect(none.err.at(-1)).toMatch(/AUTH_SYNC_SOURCE/);
    const noUrl = await cli({ AUTH_SYNC_SOURCE: 'scim', AUTH_SYNC_TOKEN: 'x' });
    expect(noUrl.err.at(-1)).toMatch(/"sync\.url" is missing .*AUTH_SYNC_URL/);
    const badCron = await cli({ AUTH_SYNC_SOURCE: 'scim', AUTH_SYNC_URL: scim.url, AUTH_SYNC_TOKEN: 'x', AUTH_SYNC_CRON: '99 * * * *' });
    expect(badCron.err.at(-1)).toMatch(/"sync\.cron"/);
  });
});
