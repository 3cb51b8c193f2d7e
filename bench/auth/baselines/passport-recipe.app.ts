import { Controller, Get, Module, Req, UseGuards, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import type { Request } from 'express';
import { BASELINE_CONFIG, type BaselineConfig } from './baseline-config.js';
import { PassportJwtStrategy } from './passport-jwt.strategy.js';

@Controller('api')
class PassportProfileController {
  @UseGuards(AuthGuard('jwt'))
  @Get('profile')
  profile(@Req() req: Request) {
    return req.user;
  }
}

@Module({})
class PassportRecipeModule {
  static forConfig(config: BaselineConfig): DynamicModule {
    return {
      module: PassportRecipeModule,
      imports: [PassportModule.register({ defaultStrategy: 'jwt' })],
      controllers: [PassportProfileController],
      providers: [{ provide: BASELINE_CONFIG, useValue: config }, PassportJwtStrategy],
    };
  }
}

/** Baseline: the @nestjs/passport + passport-jwt + jwks-rsa recipe on a free loopback port. */
export async function startPassportRecipe(config: BaselineConfig): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(PassportRecipeModule.forConfig(config), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}
