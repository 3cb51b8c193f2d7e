import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.tokens.js';
import type { ResolvedAuthOptions } from '../options/resolved-auth-options.js';
import type { UserProfile } from './claims-mapper.interface.js';
import { claimsToProfile } from './claims-to-profile.js';

/** Built-in claim mapping, then the host's `claimsMapper` hook if it set one. */
@Injectable()
export class LoginProfileMapper {
  constructor(@Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions) {}

  /** `rolesPath`: the signing provider's roles claim (default: the default provider's). */
  async map(claims: Readonly<Record<string, unknown>>, rolesPath: readonly string[] = this.options.tokens.rolesPath): Promise<UserProfile> {
    const defaults = claimsToProfile(claims, rolesPath);
    return this.options.claimsMapper ? await this.options.claimsMapper(claims, defaults) : defaults;
  }
}
