import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLogService } from '@nestflux/auth';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import pg from 'pg';
import { startHostApp } from '../support/host-app.js';
import { createTestDatabase } from '../support/test-database.js';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';

/**
 * AuditLogService on a real database (PostgreSQL with DATABASE_URL, else PGlite): entries are
 * written in batches (INSERT statements counted by a statement-level trigger), a failing write
 * is counted and never thrown, the purge keeps `retentionDays`, `find` filters newest first.
 */
describe('AuditLogService', () => {
  let bed: SessionTestBed;
  let audit: AuditLogService;
  let db: DataSource;

  beforeAll(async () => {
    // A long interval: only the batch size or an explicit flush writes, so the counts are exact.
    bed = await startSessionTestBed({ options: { audit: { flushIntervalMs: 60_000, batchSize: 25, maxQueue: 60, retentionDays: 30 } } });
    audit = bed.apps[0].app.get(AuditLogService);
    db = bed.apps[0].app.get(DataSource);
    await db.query(`CREATE TABLE audit_insert_statements (n integer NOT NULL)`);
    await db.query(`INSERT INTO audit_insert_statements VALUES (0)`);
    await db.query(`CREATE FUNCTION count_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE audit_insert_statements SET n = n + 1; RETURN NULL; END $$`);
    await db.query(
      `CREATE TRIGGER count_audit_insert AFTER INSERT ON auth_audit_log FOR EACH STATEMENT EXECUTE FUNCTION count_audit_insert()`,
    );
  }, 90_000);

  afterAll(async () => {
    await bed?.close();
  });

  async function insertStatements(): Promise<number> {
    const rows: Array<{ n: number }> = await db.query(`SELECT n FROM audit_insert_statements`);
    return rows[0].n;
  }

  async function clear(): Promise<void> {
    await audit.flush();
    await db.query(`DELETE FROM auth_audit_log`);
    await db.query(`UPDATE audit_insert_statements SET n = 0`);
  }

  it("writes 60 entries in 3 INSERT statements (batches of 25 and a flush), none on the caller's path", async () => {
    await clear();
    const userId = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    for (let i = 0; i < 50; i++) expect(audit.record({ event: 'login', userId, provider: 'default', details: { i } })).toBe(true);
    for (let i = 0; i < 10; i++) audit.record({ event: 'logout', userId });
    await audit.flush();
    const count: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM auth_audit_log`);
    expect(count[0].n).toBe(60);
    expect(await insertStatements()).toBe(3);
  });

  it('requests do not write one by one: 10 refused callbacks are recorded by 1 INSERT', async () => {
    await clear();
    for (let i = 0; i < 10; i++) expect((await fetch(`${bed.apps[0].base}/auth/callback?code=x&state=${'C'.repeat(43)}`)).status).toBe(400);
    expect(await insertStatements()).toBe(0);
    expect(audit.stats().queued).toBe(10);
    await audit.flush();
    expect(await insertStatements()).toBe(1);
    expect((await audit.find({ event: 'login' })).map((r) => r.code)).toEqual(Array(10).fill('AUTH_LOGIN_STATE_INVALID'));
  });

  it('drops and counts entries beyond maxQueue instead of growing without bound', async () => {
    await clear();
    const before = audit.stats();
    // Recorded synchronously: no write can finish meanwhile, so the queue fills to maxQueue (60).
    const accepted = Array.from({ length: 200 }, (_, i) => audit.record({ event: 'rate_limited', details: { i } })).filter(Boolean).length;
    const after = audit.stats();
    expect(after.queued).toBe(60);
    expect(accepted).toBeLessThan(200);
    expect(after.dropped - before.dropped).toBe(200 - accepted);
    await audit.flush();
  });

  it('counts a failing write (table gone), never throws, and writes again once the table is back', async () => {
    await clear();
    const before = audit.stats();
    await db.query(`ALTER TABLE auth_audit_log RENAME TO auth_audit_log_away`);
    try {
      expect(audit.record({ event: 'login', outcome: 'failure', code: 'AUTH_LOGIN_STATE_INVALID' })).toBe(true);
      await expect(audit.flush()).resolves.toBeUndefined();
      expect(audit.stats().failed - before.failed).toBe(1);
    } finally {
      await db.query(`ALTER TABLE auth_audit_log_away RENAME TO auth_audit_log`);
    }
    audit.record({ event: 'logout' });
    await audit.flush();
    expect((await audit.find({ event: 'logout' })).length).toBe(1);
    expect(audit.stats().written - before.written).toBe(1);
  });

  it('finds newest first with userId, event, since and limit filters', async () => {
    await clear();
    const alice = '0b7e3a2c-1111-4d5e-8f90-a1b2c3d4e5f6';
    const bob = '0b7e3a2c-2222-4d5e-8f90-a1b2c3d4e5f6';
    const now = Date.now();
    audit.record({ event: 'login', userId: alice, at: new Date(now - 3000), ip: '10.0.0.1', userAgent: 'x'.repeat(2000) });
    audit.record({ event: 'logout', userId: alice, at: new Date(now - 2000) });
    audit.record({ event: 'login', outcome: 'failure', code: 'AUTH_TOKEN_INVALID', userId: bob, at: new Date(now - 1000) });
    audit.record({ event: 'login', userId: 'not-a-uuid', at: new Date(now), details: { note: 'nul\0byte' } });

    const all = await audit.find();
    expect(all.map((r) => r.at.getTime())).toEqual([now, now - 1000, now - 2000, now - 3000]);
    expect(all[0].userId).toBeNull();
    expect(all[0].details).toEqual({ note: 'nulbyte' });
    expect(all[3].userAgent).toHaveLength(512);
    expect(all[3].ip).toBe('10.0.0.1');
    expect(all[1]).toMatchObject({ event: 'login', outcome: 'failure', code: 'AUTH_TOKEN_INVALID', userId: bob });

    expect((await audit.find({ userId: alice })).map((r) => r.event)).toEqual(['logout', 'login']);
    expect((await audit.find({ event: 'login' })).length).toBe(3);
    expect((await audit.find({ since: new Date(now - 1500) })).length).toBe(2);
    expect((await audit.find({ limit: 1 })).map((r) => r.at.getTime())).toEqual([now]);
    await expect(audit.find({ limit: 501 })).rejects.toThrow(TypeError);
    await expect(audit.find({ userId: 'x' })).rejects.toThrow(TypeError);
    expect(audit.record({ event: 'Bad Event' })).toBe(false);
  });

  it('the daily purge job (04:30 UTC) deletes entries older than retentionDays and keeps the rest', async () => {
    await clear();
    const day = 86_400_000;
    for (let i = 0; i < 7; i++) audit.record({ event: 'login', at: new Date(Date.now() - 31 * day - i * 1000) });
    audit.record({ event: 'login', at: new Date(Date.now() - 29 * day) });
    audit.record({ event: 'logout' });
    await audit.flush();
    const job = bed.apps[0].app.get(SchedulerRegistry).getCronJob('nestflux-audit-purge');
    expect(job.cronTime.source).toBe('30 4 * * *');
    expect(job.isActive).toBe(true);
    await job.fireOnTick();
    const left = await audit.find();
    expect(left.map((r) => r.event)).toEqual(['logout', 'login']);
    expect(await audit.purgeExpired()).toBe(0);
  });

  it('writes what is still queued when the app shuts down', async () => {
    // An app of its own (PGlite serves one connection), whose timer would not fire for a minute.
    const database = await createTestDatabase();
    try {
      const host = await startHostApp({
        issuerUrl: bed.provider.issuer,
        clientId: 'shutdown-test',
        clientSecret: 'unused',
        database,
        auth: { audit: { flushIntervalMs: 60_000 } },
      });
      const hostAudit = host.app.get(AuditLogService);
      for (let i = 0; i < 3; i++) hostAudit.record({ event: 'logout', details: { i } });
      expect(hostAudit.stats().queued).toBe(3);
      await host.close();
      expect(await countWithNewConnection(database.url, `SELECT count(*)::int AS n FROM auth_audit_log WHERE event = 'logout'`)).toBe(3);
    } finally {
      await database.close();
    }
  });
});

/** A fresh connection; PGlite's one-connection socket may still be releasing the app's, so retry briefly. */
async function countWithNewConnection(url: string, sql: string): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ n: number }>(sql);
      return rows[0].n;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
