import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago. Only for a child process (the benches start the
 * sample app with `PORT`): anything in-process binds first with `bindLoopbackServer()`.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
