import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AuditLogService } from './audit-log.service.js';
import type { AuditSettings } from './audit.options.js';
import { AUDIT_SETTINGS } from './audit.tokens.js';

/** Name of the purge job in `SchedulerRegistry`. */
export const AUDIT_PURGE_JOB = 'nestflux-audit-purge';

/**
 * Deletes audit entries older than `audit.retentionDays` on `audit.purgeCron` (daily by default).
 * Registered through `SchedulerRegistry`; a failed purge is logged and retried at the next tick.
 * Several replicas may purge at once: the deletes are bounded and idempotent.
 */
@Injectable()
export class AuditRetentionScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditLog');
  private job: CronJob | undefined;
  private tick: Promise<void> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly audit: AuditLogService,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.purgeCron === 'off') return;
    this.job = CronJob.from({
      cronTime: this.settings.purgeCron,
      timeZone: this.settings.purgeTimeZone,
      start: false,
      waitForCompletion: true,
      onTick: () => {
        this.tick = this.purge();
        return this.tick;
      },
    });
    this.registry.addCronJob(AUDIT_PURGE_JOB, this.job);
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    if (this.registry.doesExist('cron', AUDIT_PURGE_JOB)) this.registry.deleteCronJob(AUDIT_PURGE_JOB);
    await this.tick;
  }

  private async purge(): Promise<void> {
    try {
      const deleted = await this.audit.purgeExpired();
      if (deleted > 0)
        this.logger.log(`audit log: purged ${deleted} entr${deleted === 1 ? 'y' : 'ies'} older than ${this.settings.retentionDays} days`);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      this.logger.warn(
        `audit log purge failed (${typeof code === 'string' ? `database error ${code}` : error instanceof Error ? error.name : 'error'}); retried at ${this.job?.nextDate().toISO() ?? 'the next tick'}`,
      );
    }
  }
}
