import type { IncomingHttpHeaders } from 'node:http';

/**
 * The parts of an HTTP request the library reads. Structural, so the published types need no
 * `@types/express`: an Express `Request` fits it as it is.
 */
export interface HttpRequest {
  method: string;
  url?: string;
  headers: IncomingHttpHeaders;
  /** The parsed query string (Express and Fastify both provide it). */
  query?: unknown;
  body?: unknown;
  ip?: string;
}

/** Options of the response's cookie helper (Express `res.cookie`). */
export interface HttpCookieOptions {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  path?: string;
  domain?: string;
  maxAge?: number;
}

/** The parts of an HTTP response the library writes. An Express `Response` fits it. */
export interface HttpResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  status(code: number): HttpResponse;
  json(body: unknown): unknown;
  redirect(status: number, url: string): void;
  cookie(name: string, value: string, options: HttpCookieOptions): unknown;
  clearCookie(name: string, options: HttpCookieOptions): unknown;
}
