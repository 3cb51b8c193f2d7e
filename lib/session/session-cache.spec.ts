import { describe, expect, it } from '@jest/globals';
import { SessionCache } from './session-cache.js';

const entry = (userId: string, expiresAtMs = Date.now() + 60_000) => ({ userId, expiresAtMs });

describe('SessionCache', () => {
  it('serves nothing until live, and forgets everything when the feed goes or comes', () => {
    const cache = new SessionCache(10, 10_000);
    cache.set('a', entry('u'), cache.beginRead());
    expect(cache.get('a')).toBeUndefined();
    cache.setLive(true);
    cache.set('a', entry('u'), cache.beginRead());
    expect(cache.get('a')?.userId).toBe('u');
    cache.setLive(false);
    expect(cache.get('a')).toBeUndefined();
    cache.setLive(true);
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not let a read that was in flight during a drop put back what was dropped', () => {
    const cache = new SessionCache(10, 10_000);
    cache.setLive(true);
    const bySession = cache.beginRead();
    cache.dropSessions(['a']);
    cache.set('a', entry('u'), bySession);
    expect(cache.get('a')).toBeUndefined();
    const byUser = cache.beginRead();
    cache.dropUser('u');
    cache.set('b', entry('u'), byUser);
    expect(cache.get('b')).toBeUndefined();
    const byFlush = cache.beginRead();
    cache.clear();
    cache.set('c', entry('v'), byFlush);
    expect(cache.get('c')).toBeUndefined();
    // Reads begun after the drops may fill it again.
    cache.set('a', entry('u'), cache.beginRead());
    expect(cache.get('a')).toBeDefined();
  });

  it('drops every session of a user, and only those', () => {
    const cache = new SessionCache(10, 10_000);
    cache.setLive(true);
    for (const [id, user] of [
      ['a', 'u'],
      ['b', 'u'],
      ['c', 'v'],
    ])
      cache.set(id, entry(user), cache.beginRead());
    cache.dropUser('u');
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([false, false, true]);
  });

  it('is bounded, and an entry outlives neither its TTL nor its session', () => {
    const cache = new SessionCache(2, 10_000);
    cache.setLive(true);
    for (const id of ['a', 'b', 'c']) cache.set(id, entry('u'), cache.beginRead());
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    cache.set('d', entry('u', Date.now() - 1), cache.beginRead());
    expect(cache.get('d')).toBeUndefined();
    const shortLived = new SessionCache(2, 1);
    shortLived.setLive(true);
    shortLived.set('e', entry('u'), shortLived.beginRead());
    const until = Date.now() + 5;
    while (Date.now() < until); // let 1 ms pass
    expect(shortLived.get('e')).toBeUndefined();
  });
});
