import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@nestflux/auth';

/** Liveness plus a database ping (terminus); 503 when the database is down. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Get()
  async check(): Promise<{ status: string }> {
    try {
      const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })]);
      return { status: result.status };
    } catch {
      // Terminus's details name hosts and ports: log them (it does), answer only the verdict.
      throw new ServiceUnavailableException({ status: 'error' });
    }
  }
}
