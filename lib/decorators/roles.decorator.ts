import { SetMetadata } from '@nestjs/common';
import { ALL_ROLES_KEY, ANY_ROLES_KEY } from './auth-metadata.js';

/** The user needs at least one of these roles (403 otherwise). */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(ANY_ROLES_KEY, roles);

/** The user needs every one of these roles (403 otherwise). */
export const AllRoles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(ALL_ROLES_KEY, roles);
