import { Controller, Get, Req, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { AuthHealthIndicator, Public, RequestAuthenticator, type AuthUser } from '@nestflux/auth';

interface HealthAnswer {
  status: 'ok' | 'error';
  /** Only for an admin credential: each dependency's state (terminus's `details`). */
  details?: HealthCheckResult['details'];
}

/**
 * `GET /health`: `200 {"status":"ok"}` for anyone while the database answers (503 when not); the
 * identity provider being down does not fail it (sessions and cached keys keep serving). A request
 * with an admin's session or bearer token also gets `details`: database, provider discovery, JWKS.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly auth: AuthHealthIndicator,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  @Get()
  async check(@Req() req: Parameters<RequestAuthenticator['authenticate']>[0]): Promise<HealthAnswer> {
    const result = await this.health
      .check([() => this.auth.checkDatabase('database'), () => this.auth.checkProvider('identityProvider')])
      .catch((error: unknown) => {
        // Terminus answers a down indicator with a 503 carrying the full result.
        if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
        throw error;
      });
    const status = result.details.database?.status === 'up' ? 'ok' : 'error';
    const answer: HealthAnswer = (await this.isAdmin(req)) ? { status, details: result.details } : { status };
    if (status !== 'ok') throw new ServiceUnavailableException(answer);
    return answer;
  }

  /** Credentials are optional here: none, or ones that do not verify, just mean no details. */
  private async isAdmin(req: Parameters<RequestAuthenticator['authenticate']>[0]): Promise<boolean> {
    if (req.headers.authorization === undefined && req.headers.cookie === undefined) return false;
    const user: AuthUser | undefined = await this.authenticator.authenticate(req).catch(() => undefined);
    return user?.roles.includes('admin') === true;
  }
}
