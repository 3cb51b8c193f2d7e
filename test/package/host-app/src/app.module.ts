import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, CurrentUser, Public, Roles, type AuthUser } from '@nestflux/auth';

/** What the host exposes: one open route, one for any user, one for admins. */
@Controller()
class HostController {
  @Public()
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }

  @Get('whoami')
  whoami(@CurrentUser() user: AuthUser): { sub: string; email: string | null; roles: string[] } {
    return { sub: user.sub, email: user.email, roles: user.roles };
  }

  @Roles('admin')
  @Get('admin')
  admin(): { admin: true } {
    return { admin: true };
  }
}

export interface HostSettings {
  baseUrl: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  databaseUrl: string;
  poolSize: number;
  sessionSecret: string;
}

/** A host app as the README's quick start writes it: TypeORM's default DataSource plus AuthModule. */
@Module({})
export class HostModule {
  static forSettings(settings: HostSettings): DynamicModule {
    return {
      module: HostModule,
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: settings.databaseUrl, autoLoadEntities: true, extra: { max: settings.poolSize } }),
        AuthModule.forRoot({
          issuerUrl: settings.issuerUrl,
          clientId: settings.clientId,
          clientSecret: settings.clientSecret,
          baseUrl: settings.baseUrl,
          session: { secret: settings.sessionSecret },
        }),
      ],
      controllers: [HostController],
    };
  }
}
