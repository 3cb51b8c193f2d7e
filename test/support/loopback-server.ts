import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';

/**
 * An HTTP server already listening on a loopback port chosen by the kernel (port 0), before the
 * app that will answer on it exists. An auth app must know its own URL before it is built (the
 * redirect URI names the port), and a provider's client must be registered with that URL: binding
 * first means no other process can take the port between "picked" and "bound".
 */
export interface LoopbackServer {
  server: Server;
  port: number;
  /** http://localhost:PORT */
  baseUrl: string;
  /**
   * Initialises a Nest app created on the Express adapter (the default) and makes it answer on
   * this server; closing the app then closes the server too.
   */
  serve(app: INestApplication): Promise<INestApplication>;
  /** Closes the server when no app was served on it (e.g. its boot failed). */
  close(): Promise<void>;
}

export async function bindLoopbackServer(): Promise<LoopbackServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    server,
    port,
    baseUrl: `http://localhost:${port}`,
    async serve(app) {
      const adapter = app.getHttpAdapter() as AbstractHttpAdapter;
      // Nest's adapter closes "its" server on app.close(): make that this one.
      adapter.setHttpServer(server);
      await app.init();
      server.on('request', adapter.getInstance());
      return app;
    },
    close,
  };
}
