import 'reflect-metadata';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { HostModule } from './app.module.js';

// The test gives the issuer, client and database; the host binds port 0 *before* the app is
// built, because AuthModule needs its base URL (the redirect URI) at boot: no port is guessed.
const env = process.env;
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const app = await NestFactory.create(
  HostModule.forSettings({
    baseUrl,
    issuerUrl: env.HOST_ISSUER_URL!,
    clientId: env.HOST_CLIENT_ID!,
    clientSecret: env.HOST_CLIENT_SECRET!,
    databaseUrl: env.HOST_DATABASE_URL!,
    poolSize: Number(env.HOST_DB_POOL_SIZE ?? 5),
    sessionSecret: 'host-app-session-secret-0123456789-abcdefghij',
  }),
  { logger: ['error', 'warn'] },
);
await app.init();
server.on('request', app.getHttpAdapter().getInstance() as RequestListener);
console.log(`host app listening on ${baseUrl}`);

process.once('SIGTERM', () => {
  server.close();
  void app.close().then(() => process.exit(0));
});
