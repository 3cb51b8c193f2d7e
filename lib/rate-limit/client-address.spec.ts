import { describe, expect, it } from '@jest/globals';
import { TrustedProxies } from './client-address.js';
import { InMemoryRateLimitStorage } from './rate-limit.storage.js';

describe('TrustedProxies', () => {
  it('believes no header without trusted proxies', () => {
    expect(new TrustedProxies([]).clientAddress('127.0.0.1', '203.0.113.1')).toBe('127.0.0.1');
  });

  it('walks X-Forwarded-For from the right to the first untrusted hop', () => {
    const proxies = new TrustedProxies(['loopback', '10.0.0.0/8']);
    expect(proxies.clientAddress('::ffff:127.0.0.1', '198.51.100.9, 203.0.113.1, 10.1.2.3')).toBe('203.0.113.1');
    expect(proxies.clientAddress('127.0.0.1', ['198.51.100.9', '203.0.113.1'])).toBe('203.0.113.1');
    expect(proxies.clientAddress('203.0.113.7', '198.51.100.9')).toBe('203.0.113.7'); // peer not trusted: header ignored
    expect(proxies.clientAddress('127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(proxies.clientAddress('127.0.0.1', 'garbage, 10.0.0.5')).toBe('10.0.0.5');
  });

  it.each(['not-an-ip', '10.0.0.0/33', '::1/129', '10.0.0.0/x'])('refuses %s', (entry) => {
    expect(() => new TrustedProxies([entry])).toThrow(TypeError);
  });
});

describe('InMemoryRateLimitStorage', () => {
  it('counts per key in fixed windows', async () => {
    const storage = new InMemoryRateLimitStorage();
    expect((await storage.increment('a', 60_000)).totalHits).toBe(1);
    expect((await storage.increment('a', 60_000)).totalHits).toBe(2);
    expect((await storage.increment('b', 60_000)).totalHits).toBe(1);
    const hit = await storage.increment('c', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hit.resetInMs).toBeLessThanOrEqual(1);
    expect((await storage.increment('c', 1)).totalHits).toBe(1);
  });
});
