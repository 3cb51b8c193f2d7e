import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { VerifiedTokenCache } from './verified-token.cache.js';

describe('VerifiedTokenCache', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('remembers a verified token at most 30 s and never past its exp', () => {
    jest.useFakeTimers({ now: 1_000_000_000_000 });
    const cache = new VerifiedTokenCache();
    const now = Math.floor(Date.now() / 1000);
    cache.set('long', { sub: 'a', exp: now + 3600 });
    cache.set('short', { sub: 'b', exp: now + 5 });
    cache.set('expired', { sub: 'c', exp: now - 1 });
    expect(cache.get('long')?.sub).toBe('a');
    expect(cache.get('short')?.sub).toBe('b');
    expect(cache.get('expired')).toBeUndefined();
    jest.advanceTimersByTime(6_000);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')?.sub).toBe('a');
    jest.advanceTimersByTime(25_000);
    expect(cache.get('long')).toBeUndefined();
  });

  it('only answers for the exact token string', () => {
    const cache = new VerifiedTokenCache();
    cache.set('a.b.c', { sub: 'a', exp: Math.floor(Date.now() / 1000) + 60 });
    expect(cache.get('a.b.d')).toBeUndefined();
  });
});
