import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The contract's open route `GET /api/public`: 200 `{"public":true}` whatever credentials come
 * with it, and without the database (dropped or stopped here before the requests), because it
 * reads none.
 */
describe('GET /api/public', () => {
  let db: TestDatabase;
  let sut: SampleAppUnderTest;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startSampleAppUnderTest({}, db);
    // The database goes away (dropped WITH (FORCE) on a server, stopped for PGlite).
    await db.close();
  }, 90_000);
  afterAll(async () => {
    await sut?.close();
  });

  it('answers 200 {"public":true} with the database down and no credentials', async () => {
    const res = await fetch(`${sut.baseUrl}/api/public`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ public: true });
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('ignores a garbage session cookie and a garbage bearer token (reads neither)', async () => {
    const res = await fetch(`${sut.baseUrl}/api/public`, {
      headers: { cookie: 'nestflux.sid=garbage; __Host-nestflux.sid=garbage', authorization: 'Bearer not.a.jwt' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ public: true });
  });

  it('is the only open /api route: /api/profile still needs a user', async () => {
    // Status only: the database is down, so the guard's answer is 401 for no credentials at all.
    expect((await fetch(`${sut.baseUrl}/api/profile`)).status).toBe(401);
  });
});
