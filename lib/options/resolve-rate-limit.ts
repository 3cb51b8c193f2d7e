import { AuthConfigError } from '../errors/auth-error.js';
import { TrustedProxies } from '../rate-limit/client-address.js';
import { InMemoryRateLimitStorage } from '../rate-limit/rate-limit.storage.js';
import type { AuthRateLimitOptions } from './auth-module-options.js';
import type { RateLimitSettings } from './resolved-auth-options.js';
import { wholeNumberOption } from './whole-number-option.js';

/** `rateLimit` validated at boot; every problem names its key. */
export function resolveRateLimit(options: AuthRateLimitOptions | undefined): RateLimitSettings {
  const rateLimit = options ?? {};
  if (typeof rateLimit !== 'object')
    throw new AuthConfigError('rateLimit', 'must be an object', 'Pass { limit, windowSeconds, trustedProxies } or leave it out.');
  const limit = wholeNumberOption(rateLimit.limit, 20, 1, 1_000_000, 'rateLimit.limit');
  const windowSeconds = wholeNumberOption(rateLimit.windowSeconds, 60, 1, 86_400, 'rateLimit.windowSeconds');
  const entries = rateLimit.trustedProxies ?? [];
  if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== 'string')) {
    throw new AuthConfigError(
      'rateLimit.trustedProxies',
      'must be an array of strings',
      'List your proxies\' addresses or ranges, e.g. ["10.0.0.0/8"] or ["loopback"].',
    );
  }
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = new TrustedProxies(entries);
  } catch (error) {
    throw new AuthConfigError(
      'rateLimit.trustedProxies',
      `contains ${(error as Error).message}`,
      'Use IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal.',
    );
  }
  return { limit, windowMs: windowSeconds * 1000, trustedProxies, storage: rateLimit.storage ?? new InMemoryRateLimitStorage() };
}
