import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@nestflux/auth';
import { ApiController } from './api.controller.js';
import { authModuleOptions } from './config/auth-options.js';
import type { SampleConfig } from './config/sample-config.js';
import { HealthController } from './health.controller.js';
import { HomeController } from './home.controller.js';
import { SIGN_IN_PROVIDERS } from './home-accounts.js';
import { AdminController } from './admin/admin.controller.js';
import { AuditController } from './admin/audit.controller.js';

/** The sample app: the library imported the way any host app would. */
@Module({})
export class AppModule {
  static forConfig(config: SampleConfig, databaseUrl: string, poolSize: number): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl,
          autoLoadEntities: true,
          synchronize: false,
          // PGlite has one backend: one pooled connection (see README "Embedded database").
          extra: { max: poolSize },
        }),
        TerminusModule,
        AuthModule.forRoot(authModuleOptions(config)),
      ],
      controllers: [HomeController, HealthController, ApiController, AuditController, AdminController],
      providers: [{ provide: SIGN_IN_PROVIDERS, useValue: config.providers.map(({ slug, name }) => ({ slug, name })) }],
    };
  }
}
