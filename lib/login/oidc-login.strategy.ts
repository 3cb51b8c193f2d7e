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
    const stepUp = (options as { stepUp?: LoginStepUp }).stepUp;
    if (stepUp?.acrValues?.length) {
      params.set('acr_values', stepUp.acrValues.join(' '));
      // OIDC Core §5.5.1.1: acr_values alone is a wish; an essential acr claim makes the provider
      // authenticate at that level (or fail) even when its session has a weaker one.
      params.set('claims', JSON.stringify({ id_token: { acr: { essential: true, values: stepUp.acrValues } } }));
    }
    // openid-client keeps max_age with the login and checks auth_time against it at the callback.
    if (stepUp?.maxAge !== undefined) params.set('max_age', String(stepUp.maxAge));
    return params;
  }
}

/** What a step-up login asks of the provider (RFC 9470 `acr_values`, `max_age`). */
export interface LoginStepUp {
  acrValues?: string[];
  maxAge?: number;
}
