import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Req, UseGuards } from '@nestjs/common';
import { AuthGuard as PassportGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { AuthGuard, CurrentUser, type AuthUser } from '@nestflux/auth';
import { AuthPassportModule } from '@nestflux/auth/passport';
import { CookieAgent } from '../support/cookie-agent.js';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { rogueSignIn } from '../support/rogue-session.js';

const CLIENT_ID = 'passport-client';
const CLIENT_SECRET = 'passport-client-secret-value';
const API_KEY = 'host-api-key-0123456789';

type Done = (error: unknown, user?: unknown) => void;

/** The host's own passport strategy, as a host already on @nestjs/passport has one: `x-api-key`. */
class HeaderApiKeyStrategy {
  constructor(private readonly verify: (key: string, done: Done) => void) {}

  authenticate(
    this: HeaderApiKeyStrategy & { fail(status: number): void; success(user: unknown): void; error(e: unknown): void },
    req: { headers: Record<string, unknown> },
  ): void {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string') return this.fail(401);
    this.verify(key, (error, user) => (error ? this.error(error) : user ? this.success(user) : this.fail(401)));
  }
}

@Injectable()
class ApiKeyStrategy extends PassportStrategy(HeaderApiKeyStrategy, 'api-key') {
  validate(key: string): { via: 'api-key'; client: string } | false {
    return key === API_KEY ? { via: 'api-key', client: 'reporting-job' } : false;
  }
}

type Principal = { via: string; sub?: string; roles?: string[]; client?: string };
const describeUser = (user: Principal) => ({ via: user.via, sub: user.sub, roles: user.roles, client: user.client });

@Controller()
class HostController {
  @UseGuards(PassportGuard(['nestflux-jwt', 'api-key']))
  @Get('reports')
  reports(@Req() req: { user: Principal }) {
    return describeUser(req.user);
  }

  @UseGuards(PassportGuard('nestflux-jwt'))
  @Get('jwt-only')
  jwtOnly(@Req() req: { user: Principal }) {
    return describeUser(req.user);
  }

  /** The module's own guard, with no passport middleware anywhere in the app. */
  @UseGuards(AuthGuard)
  @Get('own-guard')
  ownGuard(@CurrentUser() user: AuthUser) {
    return describeUser(user);
  }

  /** The host's own sign-in route on the browser-login strategy. */
  @UseGuards(PassportGuard('nestflux-oidc'))
  @Get('sso')
  sso(@Req() req: { user: AuthUser; authInfo: { returnTo: string } }) {
    return { ...describeUser(req.user), id: req.user.id, returnTo: req.authInfo.returnTo };
  }
}

/**
 * A host that already uses @nestjs/passport: our strategies `nestflux-jwt` and `nestflux-oidc`
 * beside its own API-key strategy, with the module's global guard off (the host guards its routes).
 */
describe('passport strategies nestflux-jwt and nestflux-oidc', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      auth: { globalGuard: false },
      imports: [PassportModule, AuthPassportModule],
      controllers: [HostController],
      providers: [ApiKeyStrategy],
    });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  const bearer = async (sub: string, roles: string[] = []) => `Bearer ${await rogue.signAccessToken({ sub, aud: CLIENT_ID, roles })}`;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host.baseUrl}${path}`, { headers });

  it("AuthGuard('nestflux-jwt') accepts a valid bearer token: request.user is the module's AuthUser", async () => {
    const res = await get('/jwt-only', { authorization: await bearer('passport-alice', ['reader']) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ via: 'bearer', sub: 'passport-alice', roles: ['reader'] });
  });

  it("AuthGuard('nestflux-jwt') refuses no token, a forged signature, alg none, the wrong audience and an expired token", async () => {
    const forged = await rogue.signAccessToken({ sub: 'mallory', aud: CLIENT_ID }, { signing: 'unknown-key' });
    const none = await rogue.signAccessToken({ sub: 'mallory', aud: CLIENT_ID }, { signing: 'none' });
    const otherAudience = await rogue.signAccessToken({ sub: 'mallory', aud: 'another-api' });
    const expired = await rogue.signAccessToken({ sub: 'mallory', aud: CLIENT_ID, iat: 1_000_000, exp: 1_000_300 });
    expect((await get('/jwt-only')).status).toBe(401);
    for (const token of [forged, none, otherAudience, expired]) {
      expect((await get('/jwt-only', { authorization: `Bearer ${token}` })).status).toBe(401);
    }
    // An API key is not a credential of this strategy.
    expect((await get('/jwt-only', { 'x-api-key': API_KEY })).status).toBe(401);
  });

  it("AuthGuard(['nestflux-jwt', 'api-key']) accepts either credential and refuses neither", async () => {
    const withToken = await get('/reports', { authorization: await bearer('passport-bob') });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toMatchObject({ via: 'bearer', sub: 'passport-bob' });

    const withKey = await get('/reports', { 'x-api-key': API_KEY });
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toEqual({ via: 'api-key', client: 'reporting-job' });

    // A bad bearer token is a failure of our strategy, not an error: the list goes on to the key.
    const badTokenGoodKey = await get('/reports', { authorization: 'Bearer not.a.jwt', 'x-api-key': API_KEY });
    expect(badTokenGoodKey.status).toBe(200);
    expect(await badTokenGoodKey.json()).toMatchObject({ via: 'api-key' });

    expect((await get('/reports')).status).toBe(401);
    expect((await get('/reports', { 'x-api-key': 'wrong-key' })).status).toBe(401);
    expect((await get('/reports', { authorization: 'Bearer not.a.jwt' })).status).toBe(401);
  });

  it("a session cookie does not satisfy AuthGuard('nestflux-jwt'), but does satisfy the module's own AuthGuard", async () => {
    const agent = await rogueSignIn(host.baseUrl, 'passport-carol');
    expect((await agent.request(`${host.baseUrl}/jwt-only`)).status).toBe(401);
    const own = await agent.request(`${host.baseUrl}/own-guard`);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ via: 'session', sub: 'passport-carol' });
  });

  it("the module's own AuthGuard keeps working with bearer tokens and refuses anonymous requests", async () => {
    const res = await get('/own-guard', { authorization: await bearer('passport-dave', ['admin']) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ via: 'bearer', sub: 'passport-dave', roles: ['admin'] });
    expect((await get('/own-guard')).status).toBe(401);
    expect((await get('/own-guard', { 'x-api-key': API_KEY })).status).toBe(401);
  });

  it("AuthGuard('nestflux-oidc') on a host route starts the login and completes it with a session", async () => {
    const agent = new CookieAgent();
    const start = await agent.request(`${host.baseUrl}/sso?returnTo=/reports/weekly`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(new URL(rogue.issuer).origin);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    for (const param of ['state', 'nonce', 'code_challenge']) expect(authorize.searchParams.get(param)).toBeTruthy();

    authorize.searchParams.set('login_hint', 'passport-erin');
    const { url: callback } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    // The provider's answer, delivered to the host's route instead of the module's callback.
    const answer = await agent.request(`${host.baseUrl}/sso${callback.search}`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ via: 'session', sub: 'passport-erin', returnTo: '/reports/weekly' });

    const me = await agent.request(`${host.baseUrl}/auth/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'passport-erin' });
  });

  it("AuthGuard('nestflux-oidc') answers a forged or replayed provider answer with the module's 4xx JSON and no session", async () => {
    const agent = new CookieAgent();
    const forged = await agent.request(`${host.baseUrl}/sso?code=stolen&state=made-up`);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ statusCode: 400, code: 'AUTH_LOGIN_STATE_INVALID' });
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('nestflux.sid=');
    expect((await agent.request(`${host.baseUrl}/auth/me`)).status).toBe(401);
  });
});
