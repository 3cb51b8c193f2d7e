import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';
import { UserSyncService } from './user-sync.service.js';
import { USER_SYNC_OPTIONS } from './user-sync.tokens.js';
import { UserSyncError } from './user-sync.errors.js';

/** Name of the cron job in `SchedulerRegistry`. */
export const USER_SYNC_JOB = 'nestflux-user-sync';

/**
 * Runs `UserSyncService.runOnce()` on the configured schedule. Registered at bootstrap through
 * `SchedulerRegistry` (so a host can inspect or stop it); each tick logs its own failure and
 * never throws; shutdown stops the job and cancels a pass in flight.
 */
@Injectable()
export class UserSyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('UserSync');
  private job: CronJob | undefined;
  private abort: AbortController | undefined;
  private tick: Promise<void> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly sync: UserSyncService,
    @Inject(USER_SYNC_OPTIONS) private readonly options: ResolvedUserSyncOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.scheduled) return;
    const { cron, timeZone } = this.options;
    this.abort = new AbortController();
    this.job = CronJob.from({ cronTime: cron, timeZone, start: false, waitForCompletion: true, onTick: () => this.onTick() });
    this.registry.addCronJob(USER_SYNC_JOB, this.job);
    this.job.start();
    this.logger.log(
      `user sync scheduled "${cron}" (${timeZone}) from ${this.options.source}, next at ${this.job.nextDate().toISO()}; ${this.sync.matching}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    if (this.registry.doesExist('cron', USER_SYNC_JOB)) this.registry.deleteCronJob(USER_SYNC_JOB);
    this.abort?.abort();
    await this.tick;
  }

  private onTick(): Promise<void> {
    this.tick = this.runTick();
    return this.tick;
  }

  private async runTick(): Promise<void> {
    try {
      await this.sync.runOnce({ signal: this.abort?.signal });
    } catch (error) {
      // runOnce already logged and recorded the failure; this keeps the job alive.
      const code = error instanceof UserSyncError ? error.code : error instanceof Error ? error.name : 'unknown';
      this.logger.warn(`scheduled user sync failed (${code}); next at ${this.job?.nextDate().toISO() ?? 'never'}`);
    }
  }
}
