import { describe, expect, it } from '@jest/globals';
import { ProviderReachability } from './provider-reachability.js';

describe('ProviderReachability', () => {
  it('probes once when its knowledge is stale, then trusts a recent success', async () => {
    let probes = 0;
    const reachability = new ProviderReachability(async () => {
      probes += 1;
    });
    await Promise.all([reachability.assertReachable(), reachability.assertReachable()]);
    await reachability.assertReachable();
    expect(probes).toBe(1);
  });

  it('answers 503 at once during the back-off after a failure, without probing', async () => {
    let probes = 0;
    const reachability = new ProviderReachability(async () => {
      probes += 1;
      throw new Error('connection refused');
    });
    await expect(reachability.assertReachable()).rejects.toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE', status: 503 });
    await expect(reachability.assertReachable()).rejects.toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE' });
    expect(probes).toBe(1);
    reachability.succeeded(); // e.g. a token call went through
    await expect(reachability.assertReachable()).resolves.toBeUndefined();
  });
});
