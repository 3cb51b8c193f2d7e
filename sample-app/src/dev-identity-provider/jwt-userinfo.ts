import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

import { devAccountClaims } from './dev-accounts.js';

/** Which claims each scope releases; shared with oidc-provider's `claims` configuration. */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  // `roles` rides on `openid` so every ID token and access token carries it.
  openid: ['sub', 'roles'],
  profile: ['name', 'preferred_username'],
  email: ['email', 'email_verified'],
};

export interface JwtUserinfoOptions {
  issuer: string;
  audience: string;
  publicJwks: { keys: JWK[] };
}

export type JwtUserinfo = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function bearerJwt(req: IncomingMessage): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function answer(res: ServerResponse, status: number, body: unknown, challenge?: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  if (challenge) res.setHeader('WWW-Authenticate', challenge);
  res.end(JSON.stringify(body));
}

/**
 * oidc-provider refuses resource-bound (JWT) access tokens at userinfo, and every access token of
 * this provider is one (see `defaultResource`). So userinfo requests that carry a JWT in the
 * Authorization header are answered here, with the same scope-to-claims mapping; any other
 * userinfo request still goes to oidc-provider. Resolves true when it answered.
 */
export function createJwtUserinfo(options: JwtUserinfoOptions): JwtUserinfo {
  const keys = createLocalJWKSet(options.publicJwks);
  return async (req, res) => {
    const token = bearerJwt(req);
    if (token === undefined || (req.method !== 'GET' && req.method !== 'POST')) return false;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms: ['RS256'],
      });
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (typeof payload.sub !== 'string' || !scopes.includes('openid')) {
        answer(res, 403, { error: 'insufficient_scope' }, 'Bearer error="insufficient_scope", scope="openid"');
        return true;
      }
      const all: Record<string, unknown> = { ...devAccountClaims(payload.sub) };
      const released = Object.fromEntries(scopes.flatMap((scope) => SCOPE_CLAIMS[scope] ?? []).map((claim) => [claim, all[claim]]));
      answer(res, 200, released);
    } catch {
      answer(res, 401, { error: 'invalid_token' }, 'Bearer error="invalid_token"');
    }
    return true;
  };
}
