import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, CurrentUser, Public, type AuthModuleOptions, type AuthUser } from '@nestflux/auth';
import { createTestDatabase, type TestDatabase } from './test-database.js';

@Controller()
class HostController {
  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('api/profile')
  profile(@CurrentUser() user: AuthUser) {
    return { sub: user.sub, email: user.email, displayName: user.displayName };
  }
}

export interface LoginHostApp {
  app: INestApplication;
  baseUrl: string;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * A host app of its own for options the sample app does not expose. Its HTTP server listens on
 * port 0 before the module is built (the module needs its base URL), then serves the Nest app.
 */
export async function startLoginHostApp(options: Omit<AuthModuleOptions, 'baseUrl' | 'session'> & Partial<Pick<AuthModuleOptions, 'session'>>): Promise<LoginHostApp> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const database = await createTestDatabase();

  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url: database.url, autoLoadEntities: true, extra: { max: database.poolSize } }),
      AuthModule.forRoot({ session: { secret: 'login-host-app-session-secret-0123456789' }, ...options, baseUrl }),
    ],
    controllers: [HostController],
  })
  class HostModule {}

  const app = await NestFactory.create(HostModule, { logger: ['error'] });
  await app.init();
  handler = app.getHttpAdapter().getInstance() as (req: IncomingMessage, res: ServerResponse) => void;
  return {
    app,
    baseUrl,
    database,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
      await database.close();
    },
  };
}
