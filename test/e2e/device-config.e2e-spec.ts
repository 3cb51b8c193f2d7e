import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHostAppOn, type HostApp } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

describe('GET /auth/device/config when the device grant is not available', () => {
  let provider: RogueProvider;
  let withDevice: HostApp;
  let without: HostApp;

  beforeAll(async () => {
    provider = await RogueProvider.start({ clientId: 'web', clientSecret: 'web-secret' });
    withDevice = await startHostAppOn(provider, { auth: { deviceFlow: { clientId: 'cli' } } });
    without = await startHostAppOn(provider, { database: withDevice.database });
  });

  afterAll(async () => {
    await without?.close();
    await withDevice?.close();
    await provider?.close();
  });

  it('404 JSON when the app does not offer it', async () => {
    const res = await fetch(`${without.baseUrl}/auth/device/config`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ statusCode: 404, code: 'AUTH_DEVICE_FLOW_UNAVAILABLE' });
  });

  it('404 JSON naming the reason when the provider has no device_authorization_endpoint', async () => {
    const res = await fetch(`${withDevice.baseUrl}/auth/device/config`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({
      code: 'AUTH_DEVICE_FLOW_UNAVAILABLE',
      message: expect.stringContaining('device_authorization_endpoint'),
    });
  });

  it('503 JSON while the provider is down', async () => {
    const down = await RogueProvider.start({ clientId: 'web', clientSecret: 'web-secret' });
    down.setAvailability('down');
    const app = await startHostAppOn(down, { auth: { deviceFlow: { clientId: 'cli' } }, database: withDevice.database });
    try {
      const res = await fetch(`${app.baseUrl}/auth/device/config`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE' });
    } finally {
      await app.close();
      await down.close();
    }
  });
});
