import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { AuthConfigError } from '../errors/auth-error.js';
import type { AuthModuleOptions } from '../options/auth-module-options.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { readCookie } from './cookies.js';

const base: AuthModuleOptions = {
  issuerUrl: 'https://auth.example.com/',
  clientId: 'app',
  clientSecret: 'secret',
  baseUrl: 'https://app.example.com',
  session: { secret: 'x'.repeat(32) },
};

const cookieOf = (options: Partial<AuthModuleOptions>) => resolveAuthOptions({ ...base, ...options }).session.cookie;

describe('session cookie name', () => {
  it('defaults to __Host- when Secure, host-only and on /', () => {
    expect(cookieOf({}).name).toBe('__Host-nestflux.sid');
    expect(cookieOf({ baseUrl: 'http://localhost:3000' }).name).toBe('nestflux.sid');
    expect(cookieOf({ cookie: { domain: 'example.com' } }).name).toBe('nestflux.sid');
    expect(cookieOf({ cookie: { path: '/app' } }).name).toBe('nestflux.sid');
    expect(cookieOf({ baseUrl: 'http://localhost:3000', cookie: { secure: true } }).name).toBe('__Host-nestflux.sid');
  });

  it.each([
    [{ name: '__Host-sid', domain: 'example.com' }],
    [{ name: '__Host-sid', path: '/app' }],
    [{ name: '__Host-sid', secure: false }],
    [{ name: '__Secure-sid', secure: false }],
  ])('refuses at boot a prefix its attributes contradict: %j', (cookie) => {
    expect(() => cookieOf({ cookie })).toThrow(AuthConfigError);
    expect(() => cookieOf({ cookie })).toThrow(/"cookie.name"/);
  });
});

describe('readCookie', () => {
  const req = (cookie: string) => ({ headers: { cookie } }) as unknown as Request;
  it('reads one cookie, and nothing when the name is there twice', () => {
    expect(readCookie(req('a=1; sid=abc; b=2'), 'sid')).toBe('abc');
    expect(readCookie(req('sid="abc"'), 'sid')).toBe('abc');
    expect(readCookie(req('sid=abc; sid=abc'), 'sid')).toBeUndefined();
    expect(readCookie(req('sid=abc;sid=def'), 'sid')).toBeUndefined();
    expect(readCookie(req('xsid=1; sid2=2'), 'sid')).toBeUndefined();
  });
});
