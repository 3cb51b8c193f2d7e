import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { WsAdapter } from '@nestjs/platform-ws';
import { CurrentUser, keepUpgradeRequests, Public, Roles, type AuthUser } from '@nestflux/auth';
import WebSocket from 'ws';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { cookieHeader, rogueSignIn } from '../support/rogue-session.js';

const CLIENT_ID = 'ws-client';
const CLIENT_SECRET = 'ws-client-secret-value';

/** Behind the module's global guard, like every gateway of a host app. */
@WebSocketGateway({ path: '/ws' })
class EventsGateway {
  @Public()
  @SubscribeMessage('ping')
  ping() {
    return { event: 'pong', data: 'pong' };
  }

  /** Reads no user: before the fix, anyone got it. */
  @SubscribeMessage('secret')
  secret() {
    return { event: 'secret', data: 'classified' };
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AuthUser, @MessageBody() body: unknown) {
    return { event: 'whoami', data: { sub: user.sub, via: user.via, roles: user.roles, echo: body } };
  }

  @Roles('admin')
  @SubscribeMessage('admin')
  admin() {
    return { event: 'admin', data: 'granted' };
  }
}

interface WsAnswer {
  event: string;
  data: unknown;
}

/** Opens a socket with the given handshake headers and sends one message; resolves with the first answer. */
class TestSocket {
  private readonly queue: WsAnswer[] = [];
  private waiting?: (answer: WsAnswer) => void;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const answer = JSON.parse((raw as Buffer).toString('utf8')) as WsAnswer; // text frames arrive as one Buffer
      if (this.waiting) this.waiting(answer);
      else this.queue.push(answer);
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const socket = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestSocket(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends `{event, data}` and waits (with a deadline) for the next message. */
  ask(event: string, data: unknown = {}, timeoutMs = 5000): Promise<WsAnswer> {
    this.socket.send(JSON.stringify({ event, data }));
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${event} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (answer) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(answer);
      };
    });
  }

  close(): void {
    this.socket.terminate();
  }
}

/** A `ws` gateway behind the global AuthGuard: messages were let through unauthenticated before. */
describe('AuthGuard on WebSocket gateways', () => {
  let rogue: RogueProvider;
  let host: HostApp;
  let wsUrl: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      providers: [EventsGateway],
      configure: (app, server) => app.useWebSocketAdapter(keepUpgradeRequests(new WsAdapter(server))),
    });
    wsUrl = `${host.baseUrl.replace('http:', 'ws:')}/ws`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await host?.close();
    await rogue?.close();
  });

  const open = async (headers: Record<string, string> = {}) => {
    const socket = await TestSocket.open(wsUrl, headers);
    sockets.push(socket);
    return socket;
  };
  // One subject per role set: a user's roles are also their record's (see 'bearer roles' in the README).
  const bearer = async (roles: string[] = [], sub = 'ws-user') => ({
    authorization: `Bearer ${await rogue.signAccessToken({ sub, aud: CLIENT_ID, roles })}`,
  });

  it('refuses messages of an anonymous connection with AUTH_UNAUTHENTICATED, but serves @Public() ones', async () => {
    const socket = await open();
    expect(await socket.ask('secret')).toEqual({
      event: 'exception',
      data: expect.objectContaining({ statusCode: 401, code: 'AUTH_UNAUTHENTICATED' }),
    });
    expect(await socket.ask('ping')).toEqual({ event: 'pong', data: 'pong' });
  });

  it('refuses a forged bearer token on the upgrade request with AUTH_TOKEN_INVALID', async () => {
    const forged = `Bearer ${await rogue.signAccessToken({ sub: 'ws-user', aud: CLIENT_ID }, { signing: 'tampered-signature' })}`;
    const socket = await open({ authorization: forged });
    expect(await socket.ask('secret')).toEqual({ event: 'exception', data: expect.objectContaining({ code: 'AUTH_TOKEN_INVALID' }) });
  });

  it('authenticates every message with the bearer token of the upgrade request, and enforces @Roles()', async () => {
    const reader = await open(await bearer(['reader']));
    expect(await reader.ask('whoami', { n: 1 })).toEqual({
      event: 'whoami',
      data: { sub: 'ws-user', via: 'bearer', roles: ['reader'], echo: { n: 1 } },
    });
    expect(await reader.ask('admin')).toEqual({
      event: 'exception',
      data: expect.objectContaining({ statusCode: 403, code: 'AUTH_FORBIDDEN_ROLE' }),
    });
    const admin = await open(await bearer(['admin'], 'ws-admin'));
    expect(await admin.ask('admin')).toEqual({ event: 'admin', data: 'granted' });
  });

  it('authenticates the session cookie of a same-origin upgrade, and refuses a cross-site one (WebSocket hijacking)', async () => {
    const agent = await rogueSignIn(host.baseUrl, 'ws-browser-user');
    const cookie = cookieHeader(agent, host.baseUrl);
    const sameSite = await open({ cookie, origin: host.baseUrl });
    expect(await sameSite.ask('whoami')).toEqual({
      event: 'whoami',
      data: expect.objectContaining({ sub: 'ws-browser-user', via: 'session' }),
    });
    const crossSite = await open({ cookie, origin: 'https://evil.example' });
    expect(await crossSite.ask('whoami')).toEqual({
      event: 'exception',
      data: expect.objectContaining({ statusCode: 403, code: 'AUTH_CROSS_SITE_REQUEST' }),
    });
  });
});

/** Without `keepUpgradeRequests` the guard cannot see the handshake: it refuses, never lets through. */
describe('AuthGuard on a ws gateway whose adapter does not keep upgrade requests', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      providers: [EventsGateway],
      configure: (app, server) => app.useWebSocketAdapter(new WsAdapter(server)),
    });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  it('fails closed with AUTH_UNAUTHENTICATED even for a good bearer token', async () => {
    const token = await rogue.signAccessToken({ sub: 'ws-user', aud: CLIENT_ID, roles: ['admin'] });
    const socket = await TestSocket.open(`${host.baseUrl.replace('http:', 'ws:')}/ws`, { authorization: `Bearer ${token}` });
    try {
      expect(await socket.ask('secret')).toEqual({
        event: 'exception',
        data: expect.objectContaining({ statusCode: 401, code: 'AUTH_UNAUTHENTICATED' }),
      });
      expect(await socket.ask('ping')).toEqual({ event: 'pong', data: 'pong' });
    } finally {
      socket.close();
    }
  });
});
