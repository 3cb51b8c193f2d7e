import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthError, UserAccountsService } from '@nestflux/auth';
import { DataSource } from 'typeorm';
import { startHostAppOn, type HostApp } from '../support/host-app.js';
import { defaultIdTokenClaims } from '../support/rogue-provider/rogue-id-token.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { signIn } from '../support/sample-app-harness.js';
import { obtainTokens } from '../support/token-client.js';
import { startTwoProviderBed, type TwoProviderBed } from '../support/two-provider-bed.js';

/**
 * Provisioning rules per provider: `one` provisions nobody (invites only), `two` provisions
 * everyone and makes users with a verified email at example.test admins.
 */
describe('provisioning rules (two providers, real database)', () => {
  let bed: TwoProviderBed;
  let accounts: UserAccountsService;
  let db: DataSource;

  beforeAll(async () => {
    bed = await startTwoProviderBed({
      providers: { one: { autoProvision: false }, two: { adminEmailDomains: ['Example.TEST'] } },
    });
    accounts = bed.app.get(UserAccountsService);
    db = bed.app.get(DataSource);
  });
  afterAll(async () => {
    await bed?.close();
  });

  const usersWithEmail = async (email: string): Promise<number> =>
    (await db.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM auth_users WHERE lower(email) = lower($1)', [email]))[0].n;

  it('refuses an unknown user where autoProvision is off: 403 AUTH_NOT_PROVISIONED, no session, no user row', async () => {
    const { agent, final } = await bed.signIn('one', 'stranger');
    expect(final.status).toBe(403);
    expect(await final.json()).toMatchObject({ statusCode: 403, code: 'AUTH_NOT_PROVISIONED' });
    expect(final.headers.get('set-cookie') ?? '').not.toMatch(/nestflux\.sid=[^;]/);
    expect((await agent.request(`${bed.base}/auth/me`)).status).toBe(401);
    expect(await usersWithEmail('stranger@example.test')).toBe(0);
  });

  it("lets an invited user in there, as the invited user, with the invite's roles kept across logins", async () => {
    const invited = await accounts.invite('Ann@Corp.example', { roles: ['ops'] });
    expect(await accounts.invite('ann@corp.example')).toMatchObject({ id: invited.id });
    for (let i = 0; i < 2; i++) {
      const { agent, final } = await bed.signIn('one', 'ann@corp.example');
      expect(final.status).toBe(302);
      const profile = (await (await agent.request(`${bed.base}/api/profile`)).json()) as { id: string; roles: string[] };
      expect(profile.id).toBe(invited.id);
      expect(profile.roles).toContain('ops');
    }
    const [row] = await db.query<Array<{ invited_at: Date | null }>>('SELECT invited_at FROM auth_users WHERE id = $1', [invited.id]);
    expect(row.invited_at).toBeNull();
  });

  it('matches an invite only while no identity has claimed it: a second identity with the same email is refused', async () => {
    await accounts.invite('bo@corp.example');
    expect((await bed.signIn('one', 'bo@corp.example')).final.status).toBe(302);
    // Provider two, same verified email: auto-provisioned as its own user, never joined to bo's.
    const atTwo = await bed.signIn('two', 'bo@corp.example');
    expect(atTwo.final.status).toBe(302);
    const one = await bed.signIn('one', 'bo@corp.example');
    const ids = await Promise.all(
      [one.agent, atTwo.agent].map(async (agent) => ((await (await agent.request(`${bed.base}/api/profile`)).json()) as { id: string }).id),
    );
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('refuses to invite an email a signed-in user already has (409 AUTH_USER_EXISTS), and a non-email (TypeError)', async () => {
    expect((await bed.signIn('two', 'cleo')).final.status).toBe(302);
    await expect(accounts.invite('cleo@example.test')).rejects.toMatchObject({ code: 'AUTH_USER_EXISTS' });
    await expect(accounts.invite('cleo@example.test')).rejects.toBeInstanceOf(AuthError);
    await expect(accounts.invite('not an email')).rejects.toBeInstanceOf(TypeError);
  });

  it('makes a new user with a verified email in an admin domain an admin (case-insensitive), and keeps it', async () => {
    for (let i = 0; i < 2; i++) {
      const { agent } = await bed.signIn('two', 'dan');
      expect(await (await agent.request(`${bed.base}/api/profile`)).json()).toMatchObject({ email: 'dan@example.test', roles: ['admin'] });
    }
    const { agent } = await bed.signIn('two', 'eva@other.example');
    expect(await (await agent.request(`${bed.base}/api/profile`)).json()).toMatchObject({ roles: [] });
  });

  it("gives the admin domain role at first provisioning only: an invited user keeps the invite's roles", async () => {
    await accounts.invite('fay@example.test');
    const { agent } = await bed.signIn('two', 'fay@example.test');
    expect(await (await agent.request(`${bed.base}/api/profile`)).json()).toMatchObject({ email: 'fay@example.test', roles: [] });
  });

  it('applies the rules to bearer tokens too', async () => {
    const provider = bed.providers.one;
    const { access_token } = await obtainTokens({
      issuer: provider.idp.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUri: `${bed.base}/auth/callback/one`,
      login: 'api-stranger',
    });
    const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'AUTH_NOT_PROVISIONED' });
  });
});

/** The rules read `email_verified`: only a verified email claims an invite or an admin domain. */
describe('provisioning and email_verified', () => {
  let rogue: RogueProvider;
  let closed: HostApp;
  let open: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: 'provisioning', clientSecret: 'provisioning-secret' });
    closed = await startHostAppOn(rogue, { auth: { autoProvision: false } });
    open = await startHostAppOn(rogue, { auth: { adminEmailDomains: ['example.test'] } });
    // Two apps with a database each: on embedded PGlite under load that takes longer than 60 s.
  }, 180_000);
  afterAll(async () => {
    await closed?.close();
    await open?.close();
    await rogue?.close();
  });

  const withEmail = (email: string, verified: unknown) =>
    rogue.planNextIdToken({ claims: (ctx) => ({ ...defaultIdTokenClaims(ctx), email, email_verified: verified }) });

  it('does not let an unverified email claim an invite; a verified one does', async () => {
    await closed.app.get(UserAccountsService).invite('gil@example.test');
    withEmail('gil@example.test', false);
    expect((await signIn(closed.baseUrl, 'gil-unverified')).final.status).toBe(403);
    withEmail('gil@example.test', 'true');
    expect((await signIn(closed.baseUrl, 'gil-string')).final.status).toBe(403);
    withEmail('gil@example.test', true);
    expect((await signIn(closed.baseUrl, 'gil')).final.status).toBe(302);
  });

  it('does not make an unverified email at an admin domain an admin', async () => {
    withEmail('hal@example.test', false);
    const { agent, final } = await signIn(open.baseUrl, 'hal');
    expect(final.status).toBe(302);
    expect(await (await agent.request(`${open.baseUrl}/auth/me`)).json()).toMatchObject({ email: 'hal@example.test', roles: [] });
    withEmail('ivy@EXAMPLE.test', true);
    const admin = await signIn(open.baseUrl, 'ivy');
    expect(await (await admin.agent.request(`${open.baseUrl}/auth/me`)).json()).toMatchObject({ roles: ['admin'] });
  });
});
