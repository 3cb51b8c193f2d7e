import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type AuthUser } from '@nestflux/auth';
import { DataSource } from 'typeorm';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

const CLIENT_ID = 'claims-client';
const CLIENT_SECRET = 'claims-client-secret-value';

@Controller('api')
class ProfileController {
  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { sub: user.sub, email: user.email, displayName: user.displayName, roles: user.roles };
  }
}

/**
 * Claims are untrusted input even when the signature is good: a provider (or a user who edits
 * their own profile there) can put a NUL into `sub`, `email` or `name`. PostgreSQL refuses NUL
 * in text and jsonb, which used to surface as a bare 500.
 */
describe('control characters in bearer-token claims', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, { controllers: [ProfileController] });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  async function profile(claims: Record<string, unknown>): Promise<Response> {
    const token = await rogue.signAccessToken({ aud: CLIENT_ID, ...claims });
    return fetch(`${host.baseUrl}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
  }

  it('refuses a NUL (or any control character) in sub with 401 AUTH_TOKEN_INVALID, and stores nothing', async () => {
    for (const sub of ['evil\u0000user', 'line\nbreak', 'esc\u001b[31m']) {
      const res = await profile({ sub });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ statusCode: 401, code: 'AUTH_TOKEN_INVALID' });
    }
    const rows: unknown[] = await host.app
      .get(DataSource)
      .query(`SELECT 1 FROM auth_identities WHERE subject LIKE 'evil%' OR subject LIKE 'line%' OR subject LIKE 'esc%'`);
    expect(rows).toHaveLength(0);
  });

  it('cleans a NUL out of name, drops an email that holds one, and drops such a role', async () => {
    const res = await profile({
      sub: 'nul-name-user',
      name: 'Mallory\u0000 Admin',
      email: 'mallory@corp.example\u0000@evil.example',
      roles: ['admin\u0000', 'reader'],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'nul-name-user', email: null, displayName: 'Mallory  Admin', roles: ['reader'] });
    const [row] = await host.app
      .get(DataSource)
      .query<unknown[]>(
        `SELECT u.display_name, u.email, u.roles FROM auth_users u JOIN auth_identities i ON i.user_id = u.id WHERE i.subject = 'nul-name-user'`,
      );
    expect(row).toEqual({ display_name: 'Mallory  Admin', email: null, roles: ['reader'] });
  });

  it('cleans preferred_username and picture, and keeps ordinary Unicode', async () => {
    const res = await profile({
      sub: 'unicode-user',
      preferred_username: 'z\u0000oe',
      name: 'Zoë Ünal 山田',
      picture: 'https://img.example/a\u0000b.png',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ displayName: 'Zoë Ünal 山田' });
    const [row] = await host.app
      .get(DataSource)
      .query<unknown[]>(
        `SELECT u.username, u.avatar_url FROM auth_users u JOIN auth_identities i ON i.user_id = u.id WHERE i.subject = 'unicode-user'`,
      );
    expect(row).toEqual({ username: 'z oe', avatar_url: null });
  });
});
