import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import type { SyncRunSummary } from '../../lib/sync/sync-run-summary.js';
import { UserSyncService } from '../../lib/sync/user-sync.service.js';
import { FakeAuthentik } from './support/fake-authentik.js';
import { makePeople } from './support/fake-directory-server.js';
import { SyncHarness } from './support/sync-harness.js';
import { startSyncApp } from './support/sync-test-module.js';

// Several replicas need a real PostgreSQL: embedded PGlite is single-instance by design.
const describeOnServer = process.env.DATABASE_URL ? describe : describe.skip;

describeOnServer('two app instances with an every-second schedule', () => {
  let h: SyncHarness;
  let authentik: FakeAuthentik;

  beforeAll(async () => {
    h = await SyncHarness.create();
    authentik = await new FakeAuthentik().start();
    authentik.people = makePeople(50);
    authentik.maxPageSize = 20;
    authentik.delayMs = 250;
  });

  afterAll(async () => {
    await authentik?.close();
    await h?.close();
  });

  it('never run passes at the same time; the instance that finds one running skips', async () => {
    // One page at a time (no read-ahead), so more than one request in flight means two passes overlapped.
    const sync = {
      cron: '* * * * * *',
      source: 'authentik' as const,
      url: authentik.url,
      token: authentik.token,
      importUsers: true,
      issuer: undefined,
      prefetchPages: 1,
    };
    const apps: INestApplicationContext[] = [];
    const summaries: SyncRunSummary[][] = [[], []];
    for (const i of [0, 1]) {
      const app = await startSyncApp(h.db.url, 5, sync);
      const service = app.get(UserSyncService);
      const runOnce = service.runOnce.bind(service);
      service.runOnce = async (options) => {
        const summary = await runOnce(options);
        summaries[i].push(summary);
        return summary;
      };
      apps.push(app);
    }

    await sleep(4500);
    await Promise.all(apps.map((app) => app.close()));

    const runs = (await h.runs()).filter((run) => run.finished_at !== null);
    expect(runs.filter((run) => run.outcome === 'completed').length).toBeGreaterThanOrEqual(2);
    const sorted = [...runs].sort((a, b) => a.started_at.getTime() - b.started_at.getTime());
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].started_at.getTime()).toBeGreaterThanOrEqual(sorted[i - 1].finished_at!.getTime());
    }
    expect(authentik.maxInFlight).toBe(1);
    const skipped = summaries.flat().filter((s) => s.skipped);
    expect(skipped.length).toBeGreaterThan(0);
    expect((await h.runs()).some((run) => run.outcome === 'running')).toBe(false);
  });
});
