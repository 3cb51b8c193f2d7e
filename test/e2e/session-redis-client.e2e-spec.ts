import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';
import { TEST_REDIS_URL } from '../support/session-stores.js';

/**
 * `session.store: { type: 'redis', client }`: the host hands over an ioredis client of its own
 * (Sentinel, TLS options…). Sessions work through it, and the module leaves it open at shutdown.
 */
describe('Redis session store on a client of the host', () => {
  const client = new Redis(TEST_REDIS_URL);
  let bed: SessionTestBed | undefined;

  beforeAll(async () => {
    bed = await startSessionTestBed({ store: 'redis', redisClient: client });
  });
  afterAll(async () => {
    await bed?.close();
    client.disconnect();
  });

  it("keeps sessions in Redis through it, and the client is still the host's after the app closes", async () => {
    const agent = await bed!.signIn('client-user');
    const base = bed!.apps[0].base;
    expect((await agent.request(`${base}/auth/me`)).status).toBe(200);
    const { token } = (await (await agent.request(`${base}/auth/csrf`)).json()) as { token: string };
    const mine = (await (await agent.request(`${base}/auth/sessions`)).json()) as Array<{ id: string }>;
    expect(mine).toHaveLength(1);
    expect(
      (await agent.request(`${base}/auth/sessions/${mine[0].id}`, { method: 'DELETE', headers: { 'x-csrf-token': token } })).status,
    ).toBe(204);
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);

    await bed!.close();
    bed = undefined;
    expect(await client.ping()).toBe('PONG');
  });
});
