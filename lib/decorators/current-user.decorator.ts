import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { authTargetOf, userOf } from '../guards/auth-context.js';
import type { AuthUser } from '../users/auth-user.js';

/**
 * The signed-in `AuthUser` (or one of its fields: `@CurrentUser('email')`), in HTTP handlers,
 * GraphQL resolvers and WebSocket message handlers alike; undefined on an unguarded route.
 */
export const CurrentUser = createParamDecorator((field: keyof AuthUser | undefined, ctx: ExecutionContext) => {
  const target = authTargetOf(ctx);
  const user = target ? userOf(target.request) : undefined;
  return field ? user?.[field] : user;
});
