import { describe, expect, it } from '@jest/globals';
import {
  claimIdentifier,
  cleanClaimText,
  cleanEmailClaim,
  extractRoles,
  extractScopes,
  hasControlCharacters,
  readClaimPath,
} from './claims.js';

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

describe('claim sanitising', () => {
  it('refuses identifiers with control characters instead of cleaning them', () => {
    expect(claimIdentifier('user-1')).toBe('user-1');
    expect(claimIdentifier('a\u0000b')).toBeUndefined();
    expect(claimIdentifier('a\u0085b')).toBeUndefined();
    expect(claimIdentifier('')).toBeUndefined();
    expect(claimIdentifier('x'.repeat(256))).toBeUndefined();
    expect(claimIdentifier(42)).toBeUndefined();
  });

  it('cleans display texts and drops emails with control characters', () => {
    expect(cleanClaimText('  Ada\u0000Lovelace\n', 255)).toBe('Ada Lovelace');
    expect(cleanClaimText('\u0000\u0001', 255)).toBeUndefined();
    expect(cleanClaimText('Zoë 山田', 255)).toBe('Zoë 山田');
    expect(cleanEmailClaim(' Ada@Example.COM ')).toBe('ada@example.com');
    expect(cleanEmailClaim('ada@example.com\u0000@evil.example')).toBeUndefined();
    expect(cleanEmailClaim('not an email')).toBeUndefined();
    expect(hasControlCharacters('tab\there')).toBe(true);
  });

  it('drops roles with control characters', () => {
    expect(extractRoles({ roles: ['admin\u0000', 'reader', 'x'.repeat(300)] }, ['roles'])).toEqual(['reader']);
  });
});
