import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { bindingForNewLogin, hashLoginBinding, loginBindingCookie, readLoginBinding } from './login-binding.js';

const request = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as Request;

describe('login browser binding', () => {
  it('uses a __Host- cookie when Secure (no Domain, Path=/: not tossable from a sibling subdomain)', () => {
    expect(loginBindingCookie(true, 600_000)).toEqual({ name: '__Host-nestflux.login', secure: true, maxAgeMs: 600_000 });
    expect(loginBindingCookie(false, 600_000).name).toBe('nestflux.login');
  });

  it('reuses a well-formed binding of the browser and mints 256 random bits otherwise', () => {
    const cookie = loginBindingCookie(false, 1000);
    const existing = 'b'.repeat(43);
    expect(bindingForNewLogin(request(`nestflux.login=${existing}`), cookie)).toBe(existing);
    const fresh = bindingForNewLogin(request(), cookie);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bindingForNewLogin(request(), cookie)).not.toBe(fresh);
    expect(bindingForNewLogin(request('nestflux.login=short'), cookie)).not.toBe('short');
  });

  it('ignores malformed binding cookies', () => {
    const cookie = loginBindingCookie(false, 1000);
    for (const value of ['', 'x', '%%%', `${'a'.repeat(42)};`, 'a'.repeat(44)]) {
      expect(readLoginBinding(request(`nestflux.login=${value}`), cookie)).toBeUndefined();
    }
  });

  it('stores only a hash', () => {
    expect(hashLoginBinding('a'.repeat(43))).toMatch(/^[0-9a-f]{64}$/);
    expect(hashLoginBinding('a'.repeat(43))).not.toContain('a'.repeat(10));
  });
});
