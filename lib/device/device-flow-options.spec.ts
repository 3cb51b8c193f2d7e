import { describe, expect, it } from '@jest/globals';
import { AuthConfigError } from '../errors/auth-error.js';
import type { AuthModuleOptions } from '../options/auth-module-options.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';

const valid: AuthModuleOptions = {
  issuerUrl: 'https://auth.example.com/',
  clientId: 'web',
  clientSecret: 'secret',
  baseUrl: 'https://app.example.com',
  audience: 'https://api.example.com',
  session: { secret: 'x'.repeat(32) },
};

describe('deviceFlow option', () => {
  it('is off by default', () => {
    expect(resolveAuthOptions(valid).deviceFlow).toBeUndefined();
  });

  it('takes the login scope, the bearer audience and the resource unless told otherwise', () => {
    const resolved = resolveAuthOptions({
      ...valid,
      scope: 'profile',
      resource: 'https://api.example.com',
      deviceFlow: { clientId: 'cli' },
    });
    expect(resolved.deviceFlow).toEqual({
      issuer: 'https://auth.example.com/',
      clientId: 'cli',
      scope: 'openid profile',
      audience: 'https://api.example.com',
      resource: 'https://api.example.com',
    });
    expect(resolveAuthOptions({ ...valid, deviceFlow: { clientId: 'cli', scope: 'offline_access' } }).deviceFlow?.scope).toBe(
      'openid offline_access',
    );
  });

  it('adds the CLI client to allowedClientIds, so its tokens pass the bearer guard', () => {
    const resolved = resolveAuthOptions({ ...valid, allowedClientIds: ['web'], deviceFlow: { clientId: 'cli' } });
    expect([...resolved.tokens.allowedClientIds!]).toEqual(['web', 'cli']);
    expect(resolveAuthOptions({ ...valid, deviceFlow: { clientId: 'cli' } }).tokens.allowedClientIds).toBeUndefined();
  });

  it('names the key when the client id is missing', () => {
    expect(() => resolveAuthOptions({ ...valid, deviceFlow: {} as never })).toThrow(AuthConfigError);
    expect(() => resolveAuthOptions({ ...valid, deviceFlow: {} as never })).toThrow(/"deviceFlow.clientId"/);
  });
});
