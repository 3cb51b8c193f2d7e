import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Public, Roles, type AuthUser } from '@nestflux/auth';

/** Protected by the library's global guard: a session cookie or a bearer token. */
@Controller('api')
export class ApiController {
  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { id: user.id, sub: user.sub, email: user.email, displayName: user.displayName, avatarUrl: user.avatarUrl, roles: user.roles };
  }

  /** The contract's open route: no cookie, token or database is read (benchmarks' baseline). */
  @Public()
  @Get('public')
  open(): { public: true } {
    return { public: true };
  }

  @Roles('admin')
  @Get('admin')
  admin(@CurrentUser() user: AuthUser) {
    return { ok: true, admin: user.displayName ?? user.sub };
  }
}
