import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';

/** The signed-in `AuthUser` (or one of its fields: `@CurrentUser('email')`). */
export const CurrentUser = createParamDecorator((field: keyof AuthUser | undefined, ctx: ExecutionContext) => {
  const user = ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
  return field ? user?.[field] : user;
});
