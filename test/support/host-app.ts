import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, type AuthModuleExtras, type AuthModuleOptions } from '@nestflux/auth';
import express from 'express';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The HTTP platforms the library supports; e2e suites run over both (`describe.each(HTTP_PLATFORMS)`). */
export const HTTP_PLATFORMS = ['express', 'fastify'] as const;
export type HttpPlatform = (typeof HTTP_PLATFORMS)[number];

export interface HostAppOptions {
  /** Default `express`. */
  platform?: HttpPlatform;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Merged over the defaults below (baseUrl, session secret, …). */
  auth?: Partial<AuthModuleOptions & AuthModuleExtras>;
  imports?: Array<Type | DynamicModule>;
  controllers?: Type[];
  providers?: Provider[];
  /** Runs after the Nest app exists and before `init()` (e.g. `useWebSocketAdapter`). */
  configure?: (app: INestApplication, server: Server) => void;
  database?: TestDatabase;
}

export interface HostApp {
  app: INestApplication;
  /** http://localhost:PORT */
  baseUrl: string;
  server: Server;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * A host app of the library's own (not the sample app): AuthModule with the given options on a
 * port bound BEFORE the module is built (port 0, no race), since `baseUrl` must name that port.
 * Nest runs on an Express instance attached to that pre-bound server.
 */
export async function startHostApp(options: HostAppOptions): Promise<HostApp> {
  const database = options.database ?? (await createTestDatabase());
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;

  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url: database.url, autoLoadEntities: true, extra: { max: database.poolSize } }),
      AuthModule.forRoot({
        issuerUrl: options.issuerUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        baseUrl,
        session: { secret: 'host-app-session-secret-0123456789abcdef' },
        ...options.auth,
      }),
      ...(options.imports ?? []),
    ],
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  })
  class HostModule {}

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let app: INestApplication | undefined;
  try {
    if (options.platform === 'fastify') {
      // Fastify answers on the pre-bound server through its own request handler (serverFactory).
      const fastify = new FastifyAdapter({
        serverFactory: (fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void) => ((handler = fastifyHandler), server),
      });
      app = await NestFactory.create(HostModule, fastify, { logger: false, abortOnError: false });
      options.configure?.(app, server);
      await app.init();
      await fastify.getInstance().ready();
    } else {
      const expressApp = express();
      handler = expressApp;
      app = await NestFactory.create(HostModule, new ExpressAdapter(expressApp), { logger: false, abortOnError: false });
      options.configure?.(app, server);
      await app.init();
    }
  } catch (error) {
    await app?.close();
    server.close();
    if (!options.database) await database.close();
    throw error;
  }
  server.on('request', handler!);
  const running = app;
  return {
    app: running,
    baseUrl,
    server,
    database,
    async close() {
      await running.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.database) await database.close();
    },
  };
}

/** A host app signed in through `provider` (e.g. the rogue provider) as that provider's client. */
export function startHostAppOn(
  provider: { issuer: string; client: { clientId: string; clientSecret: string } },
  options: Omit<HostAppOptions, 'issuerUrl' | 'clientId' | 'clientSecret'> = {},
): Promise<HostApp> {
  return startHostApp({
    ...options,
    issuerUrl: provider.issuer,
    clientId: provider.client.clientId,
    clientSecret: provider.client.clientSecret,
  });
}
