import { SetMetadata } from '@nestjs/common';
import { SCOPES_KEY } from './auth-metadata.js';

/** The token (or session) must carry every one of these OAuth scopes (403 otherwise). */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator => SetMetadata(SCOPES_KEY, scopes);
