import type { HttpCookieOptions, HttpResponse } from './http-types.js';

/** The parts of a Fastify reply the adapter uses (structural: no fastify types in ours). */
interface FastifyReplyLike {
  readonly sent: boolean;
  readonly raw: { headersSent: boolean };
  code(status: number): unknown;
  header(name: string, value: unknown): unknown;
  send(body?: unknown): unknown;
  redirect(url: string, status?: number): unknown;
}

const adapted = new WeakMap<object, HttpResponse>();

/**
 * The response object of the platform in use as the `HttpResponse` the library writes to. An
 * Express response already is one (returned as it is); a Fastify reply gets a thin wrapper
 * (made once per reply). Cookies are serialised here, so Fastify hosts need no cookie plugin.
 */
export function asHttpResponse(response: unknown): HttpResponse {
  if (isHttpResponse(response)) return response;
  if (isFastifyReply(response)) {
    let wrapper = adapted.get(response);
    if (!wrapper) adapted.set(response, (wrapper = new FastifyHttpResponse(response)));
    return wrapper;
  }
  throw new TypeError('@nestflux/auth supports the Express and Fastify platforms: the response object is neither.');
}

function isHttpResponse(value: unknown): value is HttpResponse {
  const res = value as Partial<Record<keyof HttpResponse, unknown>> | null;
  return (
    typeof res?.cookie === 'function' &&
    typeof res.clearCookie === 'function' &&
    typeof res.json === 'function' &&
    typeof res.setHeader === 'function'
  );
}

function isFastifyReply(value: unknown): value is FastifyReplyLike {
  const reply = value as Partial<Record<keyof FastifyReplyLike, unknown>> | null;
  return (
    typeof reply?.code === 'function' &&
    typeof reply.header === 'function' &&
    typeof reply.send === 'function' &&
    typeof reply.raw === 'object'
  );
}

class FastifyHttpResponse implements HttpResponse {
  constructor(private readonly reply: FastifyReplyLike) {}

  get headersSent(): boolean {
    return this.reply.sent || this.reply.raw.headersSent;
  }

  setHeader(name: string, value: string | number | readonly string[]): unknown {
    return this.reply.header(name, value);
  }

  status(code: number): HttpResponse {
    this.reply.code(code);
    return this;
  }

  json(body: unknown): unknown {
    this.reply.header('content-type', 'application/json; charset=utf-8');
    return this.reply.send(JSON.stringify(body));
  }

  redirect(status: number, url: string): void {
    this.reply.redirect(url, status);
  }

  /** Fastify appends every `set-cookie` header value instead of replacing it. */
  cookie(name: string, value: string, options: HttpCookieOptions): unknown {
    return this.reply.header('set-cookie', serializeCookie(name, value, options));
  }

  clearCookie(name: string, options: HttpCookieOptions): unknown {
    const { maxAge: _ignored, ...rest } = options;
    return this.reply.header('set-cookie', serializeCookie(name, '', rest, new Date(0)));
  }
}

/** As Express's `res.cookie` writes it: value URI-encoded, `maxAge` in ms as Max-Age and Expires. */
export function serializeCookie(name: string, value: string, options: HttpCookieOptions, expires?: Date): string {
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.floor(options.maxAge / 1000)}`);
    expires ??= new Date(Date.now() + options.maxAge);
  }
  if (options.domain) parts.push(`Domain=${options.domain}`);
  parts.push(`Path=${options.path ?? '/'}`);
  if (expires) parts.push(`Expires=${expires.toUTCString()}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  if (options.sameSite)
    parts.push(
      `SameSite=${options.sameSite === true ? 'Strict' : options.sameSite[0].toUpperCase()}${options.sameSite === true ? '' : options.sameSite.slice(1)}`,
    );
  return parts.join('; ');
}
