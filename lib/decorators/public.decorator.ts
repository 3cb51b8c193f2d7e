import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from './auth-metadata.js';

/** The route (or controller) needs no user. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
