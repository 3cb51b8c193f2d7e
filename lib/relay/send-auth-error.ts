import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { AuthError } from '../errors/auth-error.js';

/**
 * Middleware runs outside Nest's exception filters: the relay answers its failures itself, in
 * the same JSON shape and with the same headers as `AuthExceptionFilter`, on the raw response
 * (Express and Fastify both hand middleware Node's `ServerResponse`).
 */
export function sendAuthError(res: ServerResponse, error: AuthError): void {
  sendJsonError(res, error.status, error.message, error.code);
  if (error.status === 401)
    res.setHeader('WWW-Authenticate', `Bearer error="${error.code === 'AUTH_TOKEN_INVALID' ? 'invalid_token' : 'unauthorized'}"`);
}

export function sendJsonError(res: ServerResponse, status: number, message: string, code: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, code });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  if (status === 503) res.setHeader('Retry-After', '5');
  res.end(body);
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
