import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { BASELINE_CONFIG, type BaselineConfig } from './baseline-config.js';

/** The plain jose guard a team writes by hand: remote JWKS set, `jwtVerify` per request. */
@Injectable()
class JoseGuard implements CanActivate {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(BASELINE_CONFIG) private readonly config: BaselineConfig) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUri));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { user?: unknown }>();
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException();
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ['RS256'],
      });
      req.user = { sub: payload.sub, roles: payload.roles ?? [] };
      return true;
    } catch {
      throw new UnauthorizedException();
    }
  }
}

@Controller('api')
class JoseProfileController {
  @UseGuards(JoseGuard)
  @Get('profile')
  profile(@Req() req: Request & { user?: unknown }) {
    return req.user;
  }
}

@Module({})
class JoseGuardModule {
  static forConfig(config: BaselineConfig): DynamicModule {
    return {
      module: JoseGuardModule,
      controllers: [JoseProfileController],
      providers: [{ provide: BASELINE_CONFIG, useValue: config }, JoseGuard],
    };
  }
}

/** Baseline: a hand-written jose guard on a free loopback port. */
export async function startJoseGuardApp(config: BaselineConfig): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(JoseGuardModule.forConfig(config), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}
