import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { DatabaseError, DependencyUnavailableError } from './auth-error.js';
import { asDependencyError, sqlStateOf } from './dependency-errors.js';

/** Real errors from a real PostgreSQL (or PGlite) server, mapped to coded errors. */
describe('asDependencyError', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.close();
  });

  const failureOf = (sql: string, values: unknown[] = []) =>
    client.query(sql, values).then(
      () => {
        throw new Error('query passed');
      },
      (error: unknown) => error,
    );

  it('maps a value PostgreSQL cannot store (NUL in text) to 400 AUTH_INPUT_REJECTED', async () => {
    const error = await failureOf('SELECT $1::text', ['a\u0000b']);
    const mapped = asDependencyError(error);
    expect(mapped).toBeInstanceOf(DatabaseError);
    expect(mapped).toMatchObject({ code: 'AUTH_INPUT_REJECTED', status: 400, sqlState: sqlStateOf(error) });
    expect((mapped as Error).message).not.toContain('a\u0000b');
  });

  it('maps any other database error to 500 AUTH_DATABASE_ERROR with its SQLSTATE', async () => {
    const mapped = asDependencyError(await failureOf('SELECT * FROM no_such_table'));
    expect(mapped).toMatchObject({ code: 'AUTH_DATABASE_ERROR', status: 500, sqlState: '42P01' });
  });

  it('maps a refused connection to 503 and leaves other errors alone', async () => {
    const refused = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const error = await refused.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(asDependencyError(error)).toBeInstanceOf(DependencyUnavailableError);
    const plain = new TypeError('a bug');
    expect(asDependencyError(plain)).toBe(plain);
  });
});
