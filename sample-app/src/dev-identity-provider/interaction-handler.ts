import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';

import { normaliseLogin } from './dev-accounts.js';
import { devAcrFor } from './dev-acr.js';
import { renderMessagePage, renderSignInPage } from './dev-pages.js';
import { FormBodyError, readFormBody } from './read-form-body.js';

export interface InteractionHandlerOptions {
  /** Path prefix of the issuer (`/oidc` when mounted there, `''` standalone). */
  mountPath: string;
  autoLoginHint: boolean;
}

export type InteractionHandler = (req: IncomingMessage, res: ServerResponse, uid: string) => Promise<void>;

const INVALID_LOGIN = 'A user name is 1 to 64 characters: letters, digits, ".", "_", "@" or "-".';

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

function statusOf(error: unknown): number {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/**
 * Our own sign-in interaction (devInteractions is off): GET shows the form, POST finishes the login
 * prompt. Consent never reaches us because the grant is created in `loadExistingGrant`.
 */
export function createInteractionHandler(provider: Provider, options: InteractionHandlerOptions): InteractionHandler {
  const actionFor = (uid: string) => `${options.mountPath}/interaction/${encodeURIComponent(uid)}`;

  // At whatever level (acr) the client asked for: a development provider checks no factor.
  const signIn = (req: IncomingMessage, res: ServerResponse, login: string, details: Interaction) =>
    provider.interactionFinished(
      req,
      res,
      { login: { accountId: login, ...devAcrFor(details.params) } },
      { mergeWithLastSubmission: false },
    );

  async function show(req: IncomingMessage, res: ServerResponse, details: Interaction): Promise<void> {
    const hint = normaliseLogin(details.params.login_hint);
    if (options.autoLoginHint && hint !== undefined) return signIn(req, res, hint, details);
    const page = renderSignInPage({
      action: actionFor(details.uid),
      clientId: typeof details.params.client_id === 'string' ? details.params.client_id : undefined,
      login: hint,
    });
    send(res, 200, req.method === 'HEAD' ? '' : page);
  }

  async function submit(req: IncomingMessage, res: ServerResponse, details: Interaction): Promise<void> {
    const body = await readFormBody(req);
    const login = normaliseLogin(body.get('login'));
    if (login !== undefined) return signIn(req, res, login, details);
    const page = renderSignInPage({
      action: actionFor(details.uid),
      clientId: typeof details.params.client_id === 'string' ? details.params.client_id : undefined,
      login: body.get('login') ?? '',
      error: INVALID_LOGIN,
    });
    send(res, 400, page);
  }

  return async (req, res, uid) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
        res.setHeader('Allow', 'GET, HEAD, POST');
        return send(res, 405, renderMessagePage('Method not allowed', 'Use the sign-in form.'));
      }
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) {
        return send(res, 400, renderMessagePage('Sign-in expired', 'This sign-in page is out of date. Start again.'));
      }
      if (details.prompt.name !== 'login') {
        return send(res, 400, renderMessagePage('Unexpected prompt', `Prompt ${details.prompt.name} is not supported.`));
      }
      return await (req.method === 'POST' ? submit(req, res, details) : show(req, res, details));
    } catch (error) {
      const status = statusOf(error);
      // A dev tool: make an internal failure visible in the console rather than only on the page.
      if (status === 500) console.error('[dev-identity-provider] interaction failed', error);
      if (res.headersSent) return void res.destroy();
      const message =
        status === 500
          ? 'The development identity provider failed.'
          : error instanceof FormBodyError
            ? error.message
            : 'Your sign-in session was not found or has expired. Start again.';
      send(res, status, renderMessagePage('Sign-in failed', message));
    }
  };
}
