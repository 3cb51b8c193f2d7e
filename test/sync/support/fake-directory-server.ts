import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One person as the fake directories hold them; each fake renders its own API shape. */
export interface FakePerson {
  /** Keycloak/SCIM id (a UUID). */
  id: string;
  /** Authentik's numeric primary key. */
  pk: number;
  username: string;
  firstName: string;
  lastName: string;
  email: string | null;
  active: boolean;
  groups: string[];
  avatar: string | null;
  /** Authentik `attributes.upn`; absent when undefined. */
  upn?: string;
}

export function makePeople(count: number, prefix = 'user'): FakePerson[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    pk: i + 1,
    username: `${prefix}${i + 1}`,
    firstName: `First${i + 1}`,
    lastName: `Last${i + 1}`,
    email: `${prefix}${i + 1}@example.com`,
    active: true,
    groups: i % 10 === 0 ? ['admins', 'staff'] : ['staff'],
    avatar: null,
  }));
}

/** Authentik's default "hashed user id" subject: sha256 of "<pk>-<install id>". */
export function authentikUid(pk: number): string {
  return createHash('sha256').update(`${pk}-fake-install-id`).digest('hex');
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface InjectedFailure {
  when: (url: URL) => boolean;
  remaining: number;
  status: number | 'reset';
  headers: Record<string, string>;
}

/**
 * A directory API on a loopback port: real HTTP, real paging, real auth checks. Failures are
 * injected per request (`fail`), and every request is recorded.
 */
export abstract class FakeDirectoryServer {
  people: FakePerson[] = [];
  readonly requests: URL[] = [];
  /** Delay before each API answer, to make passes long enough to overlap. */
  delayMs = 0;
  /** Most requests ever answered at once: one pass reads sequentially, so >1 means two passes overlapped. */
  maxInFlight = 0;
  url = '';
  private inFlight = 0;
  private failures: InjectedFailure[] = [];
  private server: Server | undefined;

  /** The next `times` requests matching `when` fail with `status` (or a reset connection). */
  fail(when: (url: URL) => boolean, options: { times?: number; status?: number | 'reset'; retryAfter?: string } = {}): void {
    this.failures.push({
      when,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      status: options.status ?? 503,
      headers: options.retryAfter === undefined ? {} : { 'retry-after': options.retryAfter },
    });
  }

  clearFailures(): void {
    this.failures = [];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = this.baseUrl(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`);
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract baseUrl(origin: string): string;
  protected abstract handle(req: IncomingMessage, url: URL, body: string): FakeResponse;

  /** For answers that take their time (a subclass may delay some routes). */
  protected async handleAsync(req: IncomingMessage, url: URL, body: string): Promise<FakeResponse> {
    return this.handle(req, url, body);
  }
  protected contentType = 'application/json';

  protected bearer(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? '';
    return header.startsWith('Bearer ') ? header.slice(7) : undefined;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.requests.push(url);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.answer(req, res, url, Buffer.concat(chunks).toString('utf8'));
    } finally {
      this.inFlight -= 1;
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    if (this.delayMs > 0) await sleep(this.delayMs);
    const failure = this.failures.find((f) => f.remaining > 0 && f.when(url));
    if (failure) {
      failure.remaining -= 1;
      if (failure.status === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      res.end(JSON.stringify({ detail: 'injected failure' }));
      return;
    }
    const answer = await this.handleAsync(req, url, body);
    res.writeHead(answer.status, { 'content-type': this.contentType, ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}

export function intParam(url: URL, name: string, fallback: number): number {
  const value = Number(url.searchParams.get(name) ?? fallback);
  return Number.isFinite(value) ? Math.trunc(value) : fallback;
}
