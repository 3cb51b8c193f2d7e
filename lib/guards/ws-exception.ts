import { STATUS_CODES } from 'node:http';
import { AuthError } from '../errors/auth-error.js';

type WsExceptionClass = new (error: object) => Error;
let wsExceptionClass: Promise<WsExceptionClass> | undefined;

/**
 * Nest does not apply global exception filters to gateways: its own WebSocket filter answers
 * "Internal server error" to anything but a `WsException`. So an auth failure in a gateway is
 * rethrown as a `WsException` carrying the usual body, and the client receives
 * `{"event":"exception","data":{"statusCode","error","message","code"}}`. `@nestjs/websockets` is
 * loaded only here, where a gateway (and so the package) exists.
 */
export async function asWsException(error: unknown): Promise<unknown> {
  if (!(error instanceof AuthError)) return error;
  wsExceptionClass ??= import('@nestjs/websockets').then((m) => m.WsException as unknown as WsExceptionClass);
  const WsException = await wsExceptionClass;
  const status = error.status;
  return new WsException({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: error.message, code: error.code });
}
