import type { HttpRequest as Request } from '../http/http-types.js';
import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions } from 'openid-client/passport';

/** Where the strategy keeps its per-login data on `req.session` (our per-request shim). */
export const LOGIN_SESSION_KEY = 'nestflux:oidc';

/** What openid-client's strategy stores between redirect and callback. */
export interface StrategyLoginData {
  code_verifier: string;
  nonce?: string;
  state?: string;
  max_age?: number;
}

/**
 * openid-client's passport Strategy, always sending `state` and `nonce` (the base class adds
 * them only when the provider lacks PKCE) so every login is bound three ways.
 */
export class OidcLoginStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(req: Request, options: TOptions): URLSearchParams {
    // The base class types `req` as Express's Request; it reads nothing of it we don't have.
    const params = new URLSearchParams(super.authorizationRequestParams(req as never, options) ?? undefined);
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    return params;
  }
}
