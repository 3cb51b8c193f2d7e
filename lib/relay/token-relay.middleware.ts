import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { createProxyMiddleware, fixRequestBody, type RequestHandler } from 'http-proxy-middleware';
import { TOKEN_RELAY_SETTINGS } from '../auth.tokens.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { RequestAuthenticator } from '../guards/request-authenticator.service.js';
import type { TokenRelaySettings } from '../options/resolved-auth-options.js';
import { describe } from '../provider/oidc-provider-client.service.js';
import { SessionTokensService } from '../session/session-tokens.service.js';
import { isAuthError, sendAuthError, sendJsonError } from './send-auth-error.js';

/** Request headers that belong to this app, never to the upstream. */
const STRIPPED_REQUEST_HEADERS = ['cookie', 'x-csrf-token', 'authorization'];

type RelayedRequest = IncomingMessage & { originalUrl?: string; body?: unknown };

/**
 * Token relay (backend-for-frontend): a request under `tokenRelay.path` is authenticated like any
 * guarded request (session cookie, with the CSRF rules for unsafe methods, or a bearer token),
 * then forwarded to the upstream through http-proxy-middleware with the user's access token as
 * `Authorization: Bearer` (a session's token is refreshed first when due, as on every request).
 * The upstream never sees the session cookie, the CSRF header, or any other cookie, and cannot
 * set cookies on this origin (its `Set-Cookie` headers are dropped).
 */
@Injectable()
export class TokenRelayMiddleware implements NestMiddleware {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly proxy: RequestHandler<RelayedRequest, ServerResponse>;
  private readonly bearer = new WeakMap<IncomingMessage, string>();

  constructor(
    @Inject(TOKEN_RELAY_SETTINGS) private readonly settings: TokenRelaySettings,
    private readonly authenticator: RequestAuthenticator,
    private readonly sessionTokens: SessionTokensService,
  ) {
    this.proxy = createProxyMiddleware<RelayedRequest, ServerResponse>({
      target: settings.upstream,
      changeOrigin: true,
      xfwd: false,
      proxyTimeout: settings.timeoutMs,
      timeout: settings.timeoutMs,
      // Below the relay path, relative to the upstream's own path (http-proxy joins the two).
      pathRewrite: (_path, req) => this.upstreamPath(req),
      logger: undefined,
      on: {
        proxyReq: (proxyReq, req) => this.prepare(proxyReq, req),
        proxyRes: (proxyRes) => {
          delete proxyRes.headers['set-cookie'];
        },
        error: (error, _req, res) => {
          this.logger.warn(`token relay: upstream failed: ${describe(error)}`);
          if ('setHeader' in res)
            sendJsonError(res, 503, 'The upstream API did not answer; retry shortly.', 'AUTH_RELAY_UPSTREAM_UNAVAILABLE');
          else res.destroy();
        },
      },
    });
  }

  async use(req: RelayedRequest, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    try {
      const user = await this.authenticator.authenticate(req);
      const token = user.via === 'session' ? await this.sessionTokens.accessToken(user) : bearerOf(req);
      this.bearer.set(req, token);
    } catch (error) {
      const failure = asDependencyError(error);
      if (isAuthError(failure)) return sendAuthError(res, failure);
      return next(error);
    }
    await this.proxy(req, res, next);
  }

  private prepare(proxyReq: ClientRequest, req: RelayedRequest): void {
    for (const name of STRIPPED_REQUEST_HEADERS) proxyReq.removeHeader(name);
    proxyReq.setHeader('Authorization', `Bearer ${this.bearer.get(req)}`);
    // Nest's body parsers have read JSON and form bodies already: write them again.
    fixRequestBody(proxyReq, req);
  }

  private upstreamPath(req: RelayedRequest): string {
    const url = req.originalUrl ?? req.url ?? '/';
    const rest = url.slice(this.settings.path.length);
    return rest.startsWith('/') ? rest : `/${rest}`;
  }
}

function bearerOf(req: IncomingMessage): string {
  return /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '')![1];
}
