import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.tokens.js';
import type { ResolvedAuthOptions } from '../options/resolved-auth-options.js';
import type { UserProfile } from './claims-mapper.interface.js';
import { claimsToProfile } from './claims-to-profile.js';

/** Built-in claim mapping, then the host's `claimsMapper` hook if it set one. */
@Injectable()
export class LoginProfileMapper {
  constructor(@Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions) {}

  async map(claims: Readonly<Record<string, unknown>>): Promise<UserProfile> {
    const defaults = claimsToProfile(claims, this.options.tokens.rolesPath);
    return this.options.claimsMapper ? await this.options.claimsMapper(claims, defaults) : defaults;
  }
}
