import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuthConfigError } from '../../lib/errors/auth-error.js';
import type { SyncRunSummary } from '../../lib/sync/sync-run-summary.js';
import { resolveUserSyncOptions, type UserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { userSyncOptionsProvider } from '../../lib/sync/user-sync.providers.js';
import { USER_SYNC_JOB, UserSyncScheduler } from '../../lib/sync/user-sync.scheduler.js';
import type { UserSyncService } from '../../lib/sync/user-sync.service.js';
import { authOptions, bootOptionsOnly } from './support/sync-test-module.js';

const base: UserSyncOptions = {
  source: 'authentik',
  url: 'https://auth.example.com',
  token: 't',
  issuer: 'https://auth.example.com/application/o/app/',
};

/** The real scheduler and cron library on fake timers; the pass itself is a stub. */
function schedule(options: UserSyncOptions) {
  const registry = new SchedulerRegistry();
  const runOnce = jest.fn(async (): Promise<SyncRunSummary> => ({ skipped: false }) as SyncRunSummary);
  const scheduler = new UserSyncScheduler(
    registry,
    { runOnce } as unknown as UserSyncService,
    resolveUserSyncOptions({ ...base, ...options }),
  );
  scheduler.onApplicationBootstrap();
  return { registry, runOnce, scheduler };
}

describe('the sync schedule', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires at the cron time in the configured time zone', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-24T07:29:30Z') });
    const { registry, runOnce, scheduler } = schedule({ cron: '30 2 * * *', timeZone: 'America/New_York' });

    expect(registry.getCronJob(USER_SYNC_JOB).nextDate().toUTC().toISO()).toBe('2026-11-24T07:30:00.000Z');
    await jest.advanceTimersByTimeAsync(29_000);
    expect(runOnce).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(runOnce).toHaveBeenCalledTimes(1);
    expect(registry.getCronJob(USER_SYNC_JOB).nextDate().toUTC().toISO()).toBe('2026-11-25T07:30:00.000Z');

    await scheduler.beforeApplicationShutdown();
    expect(registry.doesExist('cron', USER_SYNC_JOB)).toBe(false);
  });

  it('defaults to 03:00 UTC daily and accepts 6 fields with seconds', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-24T12:00:00Z') });
    const daily = schedule({});
    expect(daily.registry.getCronJob(USER_SYNC_JOB).nextDate().toUTC().toISO()).toBe('2026-11-25T03:00:00.000Z');
    await daily.scheduler.beforeApplicationShutdown();

    const everyFive = schedule({ cron: '*/5 * * * * *' });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(everyFive.runOnce).toHaveBeenCalledTimes(4);
    await everyFive.scheduler.beforeApplicationShutdown();
  });

  it('a tick that fails is logged and the job keeps running', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-24T12:00:00Z') });
    const { runOnce, scheduler } = schedule({ cron: '* * * * * *' });
    runOnce.mockRejectedValue(new Error('directory down'));
    await jest.advanceTimersByTimeAsync(3_000);
    expect(runOnce).toHaveBeenCalledTimes(3);
    await scheduler.beforeApplicationShutdown();
  });

  it('registers nothing when cron is off or there is no source', () => {
    expect(schedule({ cron: 'off' }).registry.getCronJobs().size).toBe(0);
    expect(schedule({ source: 'none' }).registry.getCronJobs().size).toBe(0);
  });

  it.each([
    [{ cron: '0 25 * * *' }, 'sync.cron'],
    [{ cron: '0 3 * *' }, 'sync.cron'],
    [{ timeZone: 'Mars/Olympus_Mons' }, 'sync.timeZone'],
  ])('a bad schedule fails boot naming the key (%j)', async (sync, key) => {
    const error = await bootOptionsOnly([authOptions({ ...base, ...sync }), userSyncOptionsProvider]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).key).toBe(key);
  });
});
