import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { AuthHealthIndicator, Public } from '@nestflux/auth';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sample-app/src/database/embedded-postgres.js';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

/** The usual terminus endpoint of a host, with the library's indicators. */
@Public()
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly auth: AuthHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.auth.checkProvider(), () => this.auth.checkDatabase('authDatabase', 1_000)]);
  }
}

const CLIENT = { clientId: 'health-client', clientSecret: 'health-client-secret-value' };

describe('AuthHealthIndicator with @nestjs/terminus', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start(CLIENT);
    host = await startHostAppOn(rogue, { imports: [TerminusModule], controllers: [HealthController] });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  it('reports the provider (discovery and JWKS) and the database up: 200', async () => {
    const res = await fetch(`${host.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      info: { identityProvider: { status: 'up', discovery: 'up', jwks: 'up' }, authDatabase: { status: 'up' } },
      error: {},
      details: { identityProvider: { status: 'up', discovery: 'up', jwks: 'up' }, authDatabase: { status: 'up' } },
    });
  });

  it('reports the provider down (503) while it does not answer, keys fetched before still usable, and recovers', async () => {
    rogue.setAvailability('down');
    try {
      // The reachability probe trusts a success for a few seconds: wait until it asks again.
      let body: { status: string; error: Record<string, Record<string, unknown>> } | undefined;
      for (let i = 0; i < 40 && body?.status !== 'error'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const res = await fetch(`${host.baseUrl}/health`);
        body = (await res.json()) as typeof body;
        if (body!.status === 'error') expect(res.status).toBe(503);
      }
      expect(body?.error.identityProvider).toEqual({ status: 'down', discovery: 'down', jwks: 'up', reason: 'AUTH_PROVIDER_UNAVAILABLE' });
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED/);
    } finally {
      rogue.setAvailability('up');
    }
    let status = 0;
    for (let i = 0; i < 80 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await fetch(`${host.baseUrl}/health`)).status;
    }
    expect(status).toBe(200);
  }, 60_000);
});

describe('AuthHealthIndicator: the database goes away', () => {
  let rogue: RogueProvider;
  let pg: EmbeddedPostgres;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start(CLIENT);
    pg = await startEmbeddedPostgres();
    host = await startHostAppOn(rogue, {
      imports: [TerminusModule],
      controllers: [HealthController],
      database: { url: pg.url, poolSize: 1, kind: 'pglite', close: async () => undefined },
    });
  }, 180_000); // PGlite and the app boot slowly on a loaded machine
  afterAll(async () => {
    await host?.close();
    await pg?.close().catch(() => undefined);
    await rogue?.close();
  });

  it('reports the database down (503) without naming its host', async () => {
    expect((await fetch(`${host.baseUrl}/health`)).status).toBe(200);
    await pg.close();
    const res = await fetch(`${host.baseUrl}/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error.authDatabase).toEqual({ status: 'down', reason: expect.stringMatching(/^(unreachable|timeout)$/) });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  }, 30_000);
});
