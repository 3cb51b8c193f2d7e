import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { AuthError } from './auth-error.js';

/**
 * Maps every `AuthError` to JSON `{ statusCode, error, message, code }`. Logs carry the code
 * and message (which never hold a token), not the request.
 */
@Catch(AuthError)
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  private readonly logger = new Logger('NestfluxAuth');

  catch(exception: AuthError, host: ArgumentsHost): void {
    const status = exception.status;
    if (status >= 500) this.logger.warn(`${exception.code}: ${exception.message}`);
    else this.logger.debug?.(`${exception.code}: ${exception.message}`);
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (status === 401) res.setHeader('WWW-Authenticate', `Bearer error="${exception.code === 'AUTH_TOKEN_INVALID' ? 'invalid_token' : 'unauthorized'}"`);
    if (status === 503) res.setHeader('Retry-After', '5');
    res.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: exception.message, code: exception.code });
  }
}
