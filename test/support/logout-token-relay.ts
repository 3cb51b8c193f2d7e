import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Sits between the provider and the app's back-channel logout route: records every logout
 * token the provider sends (so a test can replay a real one) and forwards it unchanged.
 */
export class LogoutTokenRelay {
  readonly received: Array<{ token: string; status: number }> = [];
  target: string | undefined;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const token = new URLSearchParams(body).get('logout_token') ?? '';
        fetch(this.target!, {
          method: 'POST',
          body,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
        })
          .then(async (answer) => {
            this.received.push({ token, status: answer.status });
            res.statusCode = answer.status;
            res.end(await answer.text());
          })
          .catch(() => {
            res.statusCode = 502;
            res.end();
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/backchannel`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
