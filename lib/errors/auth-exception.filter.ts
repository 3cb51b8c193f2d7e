import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { asHttpResponse } from '../http/http-response.adapter.js';
import { AuthError, DatabaseError, LoginRedirectError, StepUpRequiredError } from './auth-error.js';

/** The JSON body of every auth failure, also sent to WebSocket clients and in GraphQL `extensions`. */
export interface AuthErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  /** `AUTH_STEP_UP_REQUIRED`: the `acr` values that would do (RFC 9470). */
  acrValues?: string[];
  /** `AUTH_STEP_UP_REQUIRED`: the authentication must be at most this many seconds old. */
  maxAge?: number;
}

/**
 * Maps every `AuthError` to JSON `{ statusCode, error, message, code }`: on HTTP as the response,
 * in GraphQL as the error's `extensions` (the error is returned to the GraphQL layer, which puts
 * it in `errors[]`), on a WebSocket as an `{"event":"exception","data":…}` message. Logs carry the
 * code and message (which never hold a token), not the request.
 */
@Catch(AuthError)
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  private readonly logger = new Logger('NestfluxAuth');

  catch(exception: AuthError, host: ArgumentsHost): unknown {
    const status = exception.status;
    if (status >= 500 || exception instanceof DatabaseError) this.logger.warn(`${exception.code}: ${exception.message}`);
    else this.logger.debug?.(`${exception.code}: ${exception.message}`);
    const body: AuthErrorBody = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message: exception.message,
      code: exception.code,
    };
    if (exception instanceof StepUpRequiredError) {
      if (exception.acrValues?.length) body.acrValues = [...exception.acrValues];
      if (exception.maxAgeSeconds !== undefined) body.maxAge = exception.maxAgeSeconds;
    }
    const type = host.getType<string>();
    if (type === 'graphql') return graphQlError(exception, body);
    if (type === 'ws') return sendToSocket(host.switchToWs().getClient<unknown>(), body);
    if (type !== 'http') return exception;
    const res = asHttpResponse(host.switchToHttp().getResponse<unknown>());
    if (res.headersSent) return undefined;
    if (exception instanceof LoginRedirectError) return res.redirect(302, exception.location);
    if (exception instanceof StepUpRequiredError) res.setHeader('WWW-Authenticate', exception.challenge);
    else if (status === 401)
      res.setHeader('WWW-Authenticate', `Bearer error="${exception.code === 'AUTH_TOKEN_INVALID' ? 'invalid_token' : 'unauthorized'}"`);
    if (status === 503) res.setHeader('Retry-After', '5');
    res.status(status).json(body);
    return undefined;
  }
}

/**
 * GraphQL servers (Apollo, Mercurius) wrap a thrown non-GraphQL error and copy its `extensions`;
 * graphql-js is not a dependency of ours, so the code travels that way.
 */
function graphQlError(exception: AuthError, body: AuthErrorBody): Error {
  const error = new Error(exception.message, { cause: exception });
  error.name = exception.name;
  return Object.assign(error, { extensions: { code: body.code, statusCode: body.statusCode } });
}

/**
 * As Nest's own WebSocket filter does: `ws` sockets get `{"event":"exception","data":…}`,
 * Socket.IO sockets an `exception` event. (Used where a host applies this filter to a gateway
 * with `@UseFilters`; Nest applies no global filter there, see `guards/ws-exception.ts`.)
 */
function sendToSocket(client: unknown, body: AuthErrorBody): undefined {
  const socket = client as { send?: (data: string) => void; emit?: (event: string, data: unknown) => void; readyState?: unknown } | null;
  if (typeof socket?.send === 'function' && typeof socket.readyState === 'number') {
    if (socket.readyState === 1) socket.send(JSON.stringify({ event: 'exception', data: body }));
  } else if (typeof socket?.emit === 'function') {
    socket.emit('exception', body);
  }
  return undefined;
}
