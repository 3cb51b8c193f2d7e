import { describe, expect, it } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import type { StepUpRequirement } from '../decorators/step-up.decorator.js';
import type { AuthUser, SessionAuthentication } from '../users/auth-user.js';
import type { AuthRequest } from './auth-context.js';
import { AuthGuard } from './auth.guard.js';
import type { RequestAuthenticator } from './request-authenticator.service.js';

class ExposedGuard extends AuthGuard {
  redirectFor(user: AuthUser, stepUp: StepUpRequirement, request: AuthRequest): string | undefined {
    return this.stepUpRedirect(user, stepUp, request);
  }
}

const guard = new ExposedGuard(new Reflector(), undefined as unknown as RequestAuthenticator, null, 'auth');
const page = { method: 'GET', url: '/secure?x=1', headers: { accept: 'text/html' } } as AuthRequest;
const session = (authentication: SessionAuthentication): AuthUser => ({
  id: 'u',
  sub: 's',
  issuer: 'i',
  email: null,
  displayName: null,
  avatarUrl: null,
  roles: [],
  scopes: [],
  via: 'session',
  sessionKey: 'k',
  authentication,
});

describe('AuthGuard.stepUpRedirect', () => {
  it('sends a session page view to the login with acr_values and max_age, back to the page', () => {
    expect(guard.redirectFor(session({ acr: 'low' }), { acrValues: ['high'], maxAgeSeconds: 60 }, page)).toBe(
      '/auth/login?returnTo=%2Fsecure%3Fx%3D1&acr_values=high&max_age=60',
    );
  });

  it('does not loop: a session whose login already asked for these acr values gets no second redirect', () => {
    expect(guard.redirectFor(session({ acr: 'low', requestedAcr: ['high'] }), { acrValues: ['high'] }, page)).toBeUndefined();
    // A different level than the one asked for last time is asked for.
    expect(guard.redirectFor(session({ acr: 'low', requestedAcr: ['medium'] }), { acrValues: ['high'] }, page)).toMatch(/acr_values=high/);
  });

  it('only for sessions, page views, and requirements the provider can be asked for', () => {
    const bearer = { ...session({}), via: 'bearer' as const, sessionKey: undefined };
    expect(guard.redirectFor(bearer, { acrValues: ['high'] }, page)).toBeUndefined();
    expect(guard.redirectFor(session({}), { acrValues: ['high'] }, { ...page, headers: { accept: 'application/json' } })).toBeUndefined();
    expect(guard.redirectFor(session({}), { acrValues: ['high'] }, { ...page, method: 'POST' })).toBeUndefined();
    expect(guard.redirectFor(session({}), { mfa: true }, page)).toBeUndefined();
  });
});
