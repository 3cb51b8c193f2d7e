import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import {
  CurrentUser,
  Roles,
  UserSyncService,
  type AuthUser,
  type DirectoryPage,
  type DirectorySource,
  type DirectoryUser,
} from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

const CLIENT_ID = 'roles-client';
const CLIENT_SECRET = 'roles-client-secret-value';

@Controller('api')
class ApiController {
  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { roles: user.roles };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { ok: true };
  }
}

/** The host's own directory (the sync's plug-in point): what the provider says now. */
class ProviderDirectory implements DirectorySource {
  readonly name = 'test-directory';
  users: DirectoryUser[] = [];

  async *listUsers(): AsyncIterable<DirectoryPage> {
    yield { users: this.users, total: this.users.length };
  }
}

const person = (subject: string, roles: string[], active = true): DirectoryUser => ({
  subject,
  username: subject,
  displayName: subject,
  email: `${subject}@example.com`,
  avatarUrl: null,
  active,
  roles,
});

/** Polls `check` every 200 ms until it returns true; fails after the deadline. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Date.now() - started;
}

/**
 * A bearer token keeps its roles for its whole lifetime at the provider; the app must not. When
 * the user's record changed after the token was issued (a sync, a login, a refresh wrote it),
 * the record's roles decide, within the bearer-user cache window (15 s).
 */
describe('bearer roles follow the user record', () => {
  jest.setTimeout(90_000);
  let rogue: RogueProvider;
  let host: HostApp;
  const directory = new ProviderDirectory();

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      controllers: [ApiController],
      // Each test lists only its own users: the others may be deactivated (no limit on a pass).
      auth: { sync: { directorySource: directory, cron: 'off', deactivateLimit: '100%' } },
    });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  const bearer = async (sub: string, roles: string[]) => `Bearer ${await rogue.signAccessToken({ sub, aud: CLIENT_ID, roles })}`;
  async function call(path: string, authorization: string): Promise<{ status: number; body: { code?: string; roles?: string[] } }> {
    const res = await fetch(`${host.baseUrl}/api/${path}`, { headers: { authorization } });
    return { status: res.status, body: (await res.json()) as { code?: string; roles?: string[] } };
  }
  const sync = () => host.app.get(UserSyncService).runOnce();

  it('a role the provider removed (seen by the sync) stops working for a token issued before, within 15 s', async () => {
    const token = await bearer('bob', ['admin']);
    expect(await call('admin', token)).toEqual({ status: 200, body: { ok: true } });
    directory.users = [person('bob', ['reader'])];
    expect(await sync()).toMatchObject({ updated: 1 });
    const waited = await eventually(async () => (await call('admin', token)).status === 403, 20_000, 'admin refused');
    expect(waited).toBeLessThan(16_000);
    expect(await call('admin', token)).toEqual({ status: 403, body: expect.objectContaining({ code: 'AUTH_FORBIDDEN_ROLE' }) });
    expect((await call('profile', token)).body.roles).toEqual(['reader']);
  });

  it("a token issued after the record changed carries the provider's roles of that moment", async () => {
    const before = await bearer('carol', ['reader']);
    expect((await call('profile', before)).body.roles).toEqual(['reader']);
    directory.users = [person('carol', ['reader'])];
    await sync();
    const syncedAt = Date.now();
    // iat has one-second resolution: a token of the same second counts as older than the record.
    await eventually(async () => Date.now() - syncedAt > 1_000, 5_000, 'next second');
    const after = await bearer('carol', ['reader', 'admin']);
    expect(await call('admin', after)).toEqual({ status: 200, body: { ok: true } });
  });

  it('a user the provider disabled is refused within 15 s, whatever the token says', async () => {
    const token = await bearer('dave', ['admin']);
    expect((await call('admin', token)).status).toBe(200);
    directory.users = [person('dave', ['admin'], false)];
    await sync();
    const waited = await eventually(async () => (await call('admin', token)).status === 403, 20_000, 'inactive user refused');
    expect(waited).toBeLessThan(16_000);
    expect(await call('profile', token)).toEqual({ status: 403, body: expect.objectContaining({ code: 'AUTH_USER_INACTIVE' }) });
  });
});
