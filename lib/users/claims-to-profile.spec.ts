import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { claimsToProfile, gravatarUrl } from './claims-to-profile.js';

describe('claimsToProfile', () => {
  it('maps the standard claims', () => {
    expect(
      claimsToProfile(
        {
          sub: '1',
          name: 'Alice Liddell',
          email: 'Alice@Example.com',
          preferred_username: 'alice',
          picture: 'https://cdn.example/a.png',
          roles: ['x'],
        },
        ['roles'],
      ),
    ).toEqual({
      email: 'alice@example.com',
      displayName: 'Alice Liddell',
      username: 'alice',
      avatarUrl: 'https://cdn.example/a.png',
      roles: ['x'],
    });
  });

  it('relies on no optional claim: falls back to given/family name, username, email', () => {
    expect(claimsToProfile({ sub: '1', given_name: 'Ada', family_name: 'Lovelace' }, ['roles']).displayName).toBe('Ada Lovelace');
    expect(claimsToProfile({ sub: '1', preferred_username: 'ada' }, ['roles']).displayName).toBe('ada');
    expect(claimsToProfile({ sub: '1', email: 'ada@x.org' }, ['roles']).displayName).toBe('ada');
    expect(claimsToProfile({ sub: '1' }, ['roles'])).toEqual({
      email: null,
      displayName: null,
      username: null,
      avatarUrl: null,
      roles: [],
    });
  });

  it('uses Gravatar when the provider has no picture, and ignores non-http pictures', () => {
    const hash = createHash('sha256').update('bob@example.com').digest('hex');
    expect(claimsToProfile({ sub: '1', email: ' Bob@Example.com ' }, ['roles']).avatarUrl).toBe(
      `https://www.gravatar.com/avatar/${hash}?d=identicon`,
    );
    expect(claimsToProfile({ sub: '1', email: 'bob@example.com', picture: 'javascript:alert(1)' }, ['roles']).avatarUrl).toBe(
      gravatarUrl('bob@example.com'),
    );
  });

  it('truncates oversized values instead of failing', () => {
    expect(claimsToProfile({ sub: '1', name: 'n'.repeat(1000) }, ['roles']).displayName).toHaveLength(255);
  });
});
