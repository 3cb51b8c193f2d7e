import { describe, expect, it } from '@jest/globals';
import { extractRoles, extractScopes, readClaimPath } from './claims.js';

describe('claims', () => {
  it('reads dot paths and stops at missing or non-object steps', () => {
    const claims = { realm_access: { roles: ['a'] }, groups: 'x' };
    expect(readClaimPath(claims, ['realm_access', 'roles'])).toEqual(['a']);
    expect(readClaimPath(claims, ['groups', 'length'])).toBeUndefined();
    expect(readClaimPath(claims, ['nope', 'roles'])).toBeUndefined();
  });

  it('extracts roles from arrays, strings, Keycloak and Authentik shapes', () => {
    expect(extractRoles({ roles: ['admin', 'user', 'admin', 7, ''] }, ['roles'])).toEqual(['admin', 'user']);
    expect(extractRoles({ realm_access: { roles: ['admin'] } }, ['realm_access', 'roles'])).toEqual(['admin']);
    expect(extractRoles({ groups: ['authentik Admins', 'staff'] }, ['groups'])).toEqual(['authentik Admins', 'staff']);
    expect(extractRoles({ roles: 'admin editor' }, ['roles'])).toEqual(['admin', 'editor']);
    expect(extractRoles({ roles: { admin: true } }, ['roles'])).toEqual([]);
    expect(extractRoles({}, ['roles'])).toEqual([]);
  });

  it('extracts scopes from scope or scp', () => {
    expect(extractScopes({ scope: 'openid profile  api:read' })).toEqual(['openid', 'profile', 'api:read']);
    expect(extractScopes({ scp: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(extractScopes({})).toEqual([]);
  });
});
