import { Inject, Injectable } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import { FRONTCHANNEL_LOGOUT_SETTINGS } from '../auth.tokens.js';
import { FeatureUnavailableError, SessionRequestError } from '../errors/auth-error.js';
import type { FrontchannelLogoutSettings } from '../options/resolved-auth-options.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { claimIdentifier } from '../tokens/claims.js';
import { AuthSessionService } from './auth-session.service.js';

/**
 * OpenID Connect Front-Channel Logout 1.0 §3: the provider renders our logout URI in an iframe,
 * with `iss` and `sid` when session information is required. `iss` must be the issuer of one of
 * our login providers exactly; `sid` ends every session of that provider session (of that issuer
 * only), on every replica. Without them (only when
 * `sessionRequired` is false) the session of the cookie ends, if the browser sent it.
 */
@Injectable()
export class FrontchannelLogoutService {
  constructor(
    @Inject(FRONTCHANNEL_LOGOUT_SETTINGS) private readonly settings: FrontchannelLogoutSettings | null,
    private readonly providers: ProviderRegistry,
    private readonly sessions: AuthSessionService,
    private readonly audit: AuditLogService,
  ) {}

  /** How many sessions ended. 404 when off; 400 (ending nothing) for a wrong or missing `iss`/`sid`. */
  async handle(iss: unknown, sid: unknown, cookie: string | undefined): Promise<number> {
    if (!this.settings)
      throw new FeatureUnavailableError('AUTH_FRONTCHANNEL_LOGOUT_UNAVAILABLE', 'This app does not accept front-channel logout.');
    const provider = (this.providers.byIssuer(iss) ?? this.providers.default).slug;
    try {
      const ended = await this.end(iss, sid, cookie);
      this.audit.record({ event: 'frontchannel_logout', provider, details: { sessions: ended } });
      return ended;
    } catch (error) {
      this.audit.recordFailure({ event: 'frontchannel_logout', provider }, error);
      throw error;
    }
  }

  private async end(iss: unknown, sid: unknown, cookie: string | undefined): Promise<number> {
    if (iss === undefined && sid === undefined) {
      if (this.settings!.sessionRequired) throw invalid('iss and sid are required (frontchannel_logout_session_required).');
      return (await this.sessions.end(cookie)) ? 1 : 0;
    }
    const signer = this.providers.byIssuer(iss);
    if (!signer?.loginEnabled) throw invalid('iss is not the issuer of this app.');
    const providerSid = claimIdentifier(sid);
    if (!providerSid) throw invalid('sid is missing or malformed.');
    return this.sessions.destroyForProvider(signer.issuer, { sid: providerSid });
  }
}

function invalid(message: string): SessionRequestError {
  return new SessionRequestError('AUTH_FRONTCHANNEL_LOGOUT_INVALID', `Front-channel logout refused: ${message}`);
}
