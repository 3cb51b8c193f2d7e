import { describe, expect, it } from '@jest/globals';
import { AuthConfigError } from '../errors/auth-error.js';
import { resolveAuditOptions } from './audit.options.js';

describe('resolveAuditOptions', () => {
  it('defaults: on, 90 days, purged daily at 04:30 UTC, batches of 100 every second', () => {
    expect(resolveAuditOptions(undefined)).toMatchObject({
      enabled: true,
      retentionDays: 90,
      purgeCron: '30 4 * * *',
      purgeTimeZone: 'UTC',
      flushIntervalMs: 1000,
      batchSize: 100,
      maxQueue: 10_000,
    });
  });

  it.each([
    [{ retentionDays: 0 }, 'audit.retentionDays'],
    [{ retentionDays: 1.5 }, 'audit.retentionDays'],
    [{ purgeCron: '* *' }, 'audit.purgeCron'],
    [{ purgeCron: '61 * * * *' }, 'audit.purgeCron'],
    [{ purgeTimeZone: 'Mars/Olympus' }, 'audit.purgeTimeZone'],
    [{ batchSize: 0 }, 'audit.batchSize'],
    [{ maxQueue: -1 }, 'audit.maxQueue'],
    [{ enabled: 'yes' }, 'audit.enabled'],
  ])('%j fails naming %s', (options, key) => {
    let error: unknown;
    try {
      resolveAuditOptions(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).key).toBe(key);
  });

  it('accepts "off" as purgeCron', () => {
    expect(resolveAuditOptions({ purgeCron: 'off' }).purgeCron).toBe('off');
  });
});
