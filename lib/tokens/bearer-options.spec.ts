import { describe, expect, it } from '@jest/globals';
import { AuthConfigError } from '../errors/auth-error.js';
import type { AuthModuleOptions } from '../options/auth-module-options.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';

const valid: AuthModuleOptions = {
  issuerUrl: 'https://auth.example.com/',
  clientId: 'app',
  clientSecret: 'secret',
  baseUrl: 'https://app.example.com',
  session: { secret: 'x'.repeat(32) },
};

/** The bearer-token and JWKS options: defaults, and a boot error naming the key. */
describe('bearer and JWKS options', () => {
  it('applies the documented defaults', () => {
    expect(resolveAuthOptions(valid).tokens).toMatchObject({
      jwksCooldownMs: 30_000,
      jwksMaxAgeMs: 600_000,
      jwksStaleIfErrorMs: 86_400_000,
      requireAtJwt: false,
      acceptIdTokens: false,
      allowedClientIds: undefined,
    });
  });

  it('takes allowedClientIds as a set', () => {
    expect(resolveAuthOptions({ ...valid, allowedClientIds: ['cli', 'web'] }).tokens.allowedClientIds).toEqual(new Set(['cli', 'web']));
  });

  it.each([
    [{ jwksMaxAgeSeconds: 0 }, 'jwksMaxAgeSeconds'],
    [{ jwksMaxAgeSeconds: 1.5 }, 'jwksMaxAgeSeconds'],
    [{ jwksStaleIfErrorSeconds: -1 }, 'jwksStaleIfErrorSeconds'],
    [{ jwksStaleIfErrorSeconds: 8 * 86400 }, 'jwksStaleIfErrorSeconds'],
    [{ allowedClientIds: [] }, 'allowedClientIds'],
    [{ allowedClientIds: ['ok', ''] }, 'allowedClientIds'],
    [{ allowedClientIds: 'cli' }, 'allowedClientIds'],
  ] as Array<[Record<string, unknown>, string]>)('refuses %j at boot, naming the key', (options, key) => {
    const attempt = () => resolveAuthOptions({ ...valid, ...options });
    expect(attempt).toThrow(AuthConfigError);
    expect(attempt).toThrow(`"${key}"`);
  });
});
