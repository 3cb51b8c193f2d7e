import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { basicCredentials, bearerToken, readForm, sendJson } from './rogue-http.js';
import { signRogueIdToken } from './rogue-id-token.js';
import { RogueKeyRing } from './rogue-key-ring.js';
import { rogueDiscovery, rogueEndSession } from './rogue-metadata.js';
import type { RogueAccessTokenOptions, RogueAvailability, RogueIdTokenPlan } from './rogue-provider.types.js';
import { signRogueJwt } from './sign-rogue-jwt.js';

interface PendingCode {
  redirectUri: string;
  sub: string;
  nonce?: string;
  codeChallenge?: string;
}

const SCOPE = 'openid profile email';
const now = () => Math.floor(Date.now() / 1000);
function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A deliberately misbehaving OpenID provider for rejection tests: real keys and signatures, but
 * each test decides what the next ID token looks like. Plain node:http on 127.0.0.1:0.
 */
export class RogueProvider {
  readonly issuer: string;
  private lastAuthorization?: URLSearchParams;
  private jwksCount = 0;
  private jwksAttemptCount = 0;
  private plan?: RogueIdTokenPlan;
  private availability: RogueAvailability = 'up';
  /** What userinfo answers for a subject (default: the subject and a name only userinfo carries). */
  userinfoClaims: (sub: string) => Record<string, unknown> = (sub) => ({ sub, name: 'Name From Userinfo' });
  private readonly codes = new Map<string, PendingCode>();
  private readonly accessTokens = new Map<string, string>();
  /** refresh token → who it was issued to; never rotated, so a test can refresh at will. */
  private readonly refreshTokens = new Map<string, { sub: string; nonce?: string }>();

  private constructor(
    private readonly server: Server,
    private readonly keys: RogueKeyRing,
    readonly client: { clientId: string; clientSecret: string },
  ) {
    this.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: { clientId: string; clientSecret: string }): Promise<RogueProvider> {
    const keys = await RogueKeyRing.create();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const provider = new RogueProvider(server, keys, { ...options });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void provider.handle(req, res));
    return provider;
  }

  /** How often the JWKS was served (tests check the refetch-on-unknown-kid cooldown). */
  get jwksRequests(): number {
    return this.jwksCount;
  }

  /** How often the JWKS was asked for, also while down or answering nonsense (amplification tests). */
  get jwksAttempts(): number {
    return this.jwksAttemptCount;
  }

  get lastAuthorizationRequest(): URLSearchParams | undefined {
    return this.lastAuthorization;
  }

  /** Applies to the next successful token-endpoint answer only, then back to a good token. */
  planNextIdToken(plan: RogueIdTokenPlan): void {
    this.plan = plan;
  }

  signAccessToken(claims: Record<string, unknown>, opts: RogueAccessTokenOptions = {}): Promise<string> {
    const issuedAt = now();
    return signRogueJwt({
      payload: { iss: this.issuer, iat: issuedAt, exp: issuedAt + 300, ...claims },
      signing: opts.signing ?? 'good',
      header: opts.kid === undefined ? undefined : { kid: opts.kid },
      defaultTyp: opts.typ ?? 'at+jwt',
      keys: this.keys,
      clientSecret: this.client.clientSecret,
    });
  }

  rotateKeys(): Promise<void> {
    return this.keys.rotate();
  }

  addUnpublishedKey(): Promise<void> {
    return this.keys.addUnpublished();
  }

  publishPendingKey(): void {
    this.keys.publishPending();
  }

  setAvailability(mode: RogueAvailability): void {
    this.availability = mode;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.startsWith('/jwks')) this.jwksAttemptCount += 1;
    if (this.availability === 'down') return void req.socket.destroy();
    if (this.availability === 'hang') return; // close() ends the open connection
    if (this.availability === 'nonsense') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return void res.end('<html><body>Service temporarily nonsense</body></html>');
    }
    try {
      const url = new URL(req.url ?? '/', this.issuer);
      switch (`${req.method} ${url.pathname}`) {
        case 'GET /.well-known/openid-configuration':
          return sendJson(res, 200, rogueDiscovery(this.issuer));
        case 'GET /authorize':
          return this.authorize(url.searchParams, res);
        case 'POST /token':
          return await this.token(req, res);
        case 'GET /jwks':
          this.jwksCount += 1;
          return sendJson(res, 200, this.keys.jwks, { 'Content-Type': 'application/jwk-set+json' });
        case 'GET /userinfo':
        case 'POST /userinfo':
          return this.userinfo(req, res);
        case 'GET /logout':
          return rogueEndSession(url.searchParams, res);
        default:
          return sendJson(res, 404, { error: 'not_found' });
      }
    } catch (error) {
      sendJson(res, 500, { error: 'server_error', error_description: String(error) });
    }
  }

  private authorize(params: URLSearchParams, res: ServerResponse): void {
    this.lastAuthorization = new URLSearchParams(params);
    const redirectUri = params.get('redirect_uri');
    const target = redirectUri ? URL.parse(redirectUri) : null;
    if (!redirectUri || !target) return sendJson(res, 400, { error: 'invalid_request', error_description: 'redirect_uri' });

    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      redirectUri,
      sub: params.get('login_hint') || 'rogue-user',
      nonce: params.get('nonce') ?? undefined,
      codeChallenge: params.get('code_challenge') ?? undefined,
    });
    target.searchParams.set('code', code);
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('iss', this.issuer);
    res.writeHead(302, { Location: target.href });
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const credentials = basicCredentials(req);
    const form = await readForm(req);
    if (!credentials || credentials.id !== this.client.clientId || !sameSecret(credentials.secret, this.client.clientSecret)) {
      return sendJson(res, 401, { error: 'invalid_client' }, { 'WWW-Authenticate': 'Basic realm="rogue"' });
    }
    if (form.get('grant_type') === 'refresh_token') return this.refresh(form.get('refresh_token') ?? '', res);
    if (form.get('grant_type') !== 'authorization_code') return sendJson(res, 400, { error: 'unsupported_grant_type' });

    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code); // single use, also when this attempt fails
    if (!pending) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'unknown code' });
    if (form.get('redirect_uri') !== pending.redirectUri) {
      return sendJson(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
    }
    const verifier = form.get('code_verifier');
    const challenge = verifier === null ? undefined : createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== pending.codeChallenge) {
      return sendJson(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    }

    const plan = this.plan ?? {};
    this.plan = undefined;
    const idToken = await signRogueIdToken(plan, {
      ctx: { issuer: this.issuer, clientId: this.client.clientId, nonce: pending.nonce, sub: pending.sub, now: now() },
      keys: this.keys,
      clientSecret: this.client.clientSecret,
    });
    const { clientId } = this.client;
    const accessToken = await this.signAccessToken({ sub: pending.sub, aud: clientId, client_id: clientId, scope: SCOPE });
    this.accessTokens.set(accessToken, pending.sub);
    const refreshToken = randomBytes(24).toString('base64url');
    this.refreshTokens.set(refreshToken, { sub: pending.sub, nonce: pending.nonce });
    sendJson(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
      refresh_token: refreshToken,
      scope: SCOPE,
    });
  }

  /** The refresh grant: the next ID token follows the plan too (refresh-time verification tests). */
  private async refresh(refreshToken: string, res: ServerResponse): Promise<void> {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
    const plan = this.plan ?? {};
    this.plan = undefined;
    const idToken = await signRogueIdToken(plan, {
      ctx: { issuer: this.issuer, clientId: this.client.clientId, nonce: grant.nonce, sub: grant.sub, now: now() },
      keys: this.keys,
      clientSecret: this.client.clientSecret,
    });
    const { clientId } = this.client;
    const accessToken = await this.signAccessToken({ sub: grant.sub, aud: clientId, client_id: clientId, scope: SCOPE });
    this.accessTokens.set(accessToken, grant.sub);
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken, scope: SCOPE });
  }

  private userinfo(req: IncomingMessage, res: ServerResponse): void {
    const sub = this.accessTokens.get(bearerToken(req) ?? '');
    if (sub === undefined) {
      return sendJson(res, 401, { error: 'invalid_token' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    // A claim only userinfo carries, so tests can tell that the app read it.
    sendJson(res, 200, this.userinfoClaims(sub));
  }
}
