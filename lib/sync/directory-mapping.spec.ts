import { describe, expect, it } from '@jest/globals';
import { gravatarUrl } from '../users/claims-to-profile.js';
import { mapAuthentikUser as mapAuthentik } from './authentik.directory-source.js';
import { parseRetryAfter } from './directory-http.js';
import type { DirectoryUser } from './directory-source.interface.js';
import { keycloakUrls, mapKeycloakUser } from './keycloak.directory-source.js';
import { mapScimUser } from './scim.directory-source.js';
import { UserSyncError } from './user-sync.errors.js';

/** A mapped user, failing the test when the mapper skipped it. */
function mapAuthentikUser(raw: unknown, field: string): DirectoryUser {
  const user = mapAuthentik(raw, field);
  if (typeof user === 'string') throw new Error(`skipped: ${user}`);
  return user;
}

describe('mapping directory records', () => {
  const ak = {
    pk: 7,
    uuid: 'c0ffee00-0000-4000-8000-000000000007',
    uid: 'ab12',
    username: 'alice',
    name: 'Alice Liddell',
    email: 'Alice@Example.com',
    is_active: false,
    avatar: 'https://cdn.example.com/alice.png',
    groups_obj: [{ name: 'staff' }, { name: 'admins' }, { name: 'staff' }],
    attributes: { upn: 'alice@corp' },
  };

  it('Authentik: name, lower-cased email, groups as sorted roles, is_active', () => {
    expect(mapAuthentikUser(ak, 'uid')).toEqual({
      subject: 'ab12',
      username: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.com',
      avatarUrl: 'https://cdn.example.com/alice.png',
      active: false,
      roles: ['admins', 'staff'],
      importable: true,
    });
  });

  it('Authentik: service accounts are matched but never imported; groups only when they are roles', () => {
    expect(mapAuthentikUser({ ...ak, type: 'service_account' }, 'uid').importable).toBe(false);
    expect(mapAuthentikUser({ ...ak, type: 'internal_service_account' }, 'uid').importable).toBe(false);
    expect(mapAuthentikUser({ ...ak, type: 'external' }, 'uid').importable).toBe(true);
    expect(mapAuthentik({ ...ak, groups_obj: null }, 'uid', false)).toMatchObject({ roles: null });
  });

  it('Authentik: subject modes as id_token.py computes them', () => {
    expect(mapAuthentikUser(ak, 'email').subject).toBe('Alice@Example.com');
    expect(mapAuthentik({ ...ak, email: '' }, 'email')).toMatch(/without an email/);
    expect(mapAuthentikUser({ ...ak, attributes: {} }, 'attributes.upn').subject).toBe('ab12');
    expect(mapAuthentikUser({ ...ak, attributes: {} }, 'upn').subject).toBe('ab12');
    expect(mapAuthentik({ ...ak, attributes: { upn: '' } }, 'upn')).toMatch(/upn/);
  });

  it('Authentik: every subject mode has a field', () => {
    expect(mapAuthentikUser(ak, 'pk').subject).toBe('7');
    expect(mapAuthentikUser(ak, 'uuid').subject).toBe(ak.uuid);
    expect(mapAuthentikUser(ak, 'username').subject).toBe('alice');
    expect(mapAuthentikUser(ak, 'attributes.upn').subject).toBe('alice@corp');
  });

  it('falls back to the user name, and to Gravatar for data: or missing avatars', () => {
    const user = mapAuthentikUser({ ...ak, name: '  ', avatar: 'data:image/svg+xml;base64,AAAA' }, 'uid');
    expect(user.displayName).toBe('alice');
    expect(user.avatarUrl).toBe(gravatarUrl('alice@example.com'));
    expect(mapAuthentikUser({ ...ak, email: '', avatar: null }, 'uid').avatarUrl).toBeNull();
  });

  it('fails the listing when the subject field is missing rather than match nobody', () => {
    expect(() => mapAuthentikUser(ak, 'attributes.sub')).toThrow(UserSyncError);
  });

  it('Keycloak: "firstName lastName", enabled, picture attribute, roles unknown', () => {
    const kc = {
      id: 'k1',
      username: 'bob',
      firstName: 'Bob',
      lastName: 'Builder',
      email: 'bob@example.com',
      enabled: true,
      attributes: { picture: ['https://cdn.example.com/bob.png'] },
    };
    expect(mapKeycloakUser(kc, 'id')).toEqual({
      subject: 'k1',
      username: 'bob',
      displayName: 'Bob Builder',
      email: 'bob@example.com',
      avatarUrl: 'https://cdn.example.com/bob.png',
      active: true,
      roles: null,
    });
    expect(mapKeycloakUser({ ...kc, firstName: 'Bob', lastName: undefined }, 'id').displayName).toBe('Bob');
    expect(mapKeycloakUser({ ...kc, firstName: undefined, lastName: undefined, enabled: false }, 'id')).toMatchObject({
      displayName: 'bob',
      active: false,
    });
  });

  it('SCIM: displayName, else name.formatted, else given + family; primary email; roles and groups', () => {
    const scim = {
      id: 's1',
      userName: 'carol',
      name: { formatted: 'Dr. Carol Danvers', givenName: 'Carol', familyName: 'Danvers' },
      displayName: 'Carol D.',
      emails: [{ value: 'home@example.com' }, { value: 'Carol@Work.example', primary: true }],
      active: true,
      roles: [{ value: 'admin' }],
      groups: [{ value: 'g1', display: 'pilots' }],
    };
    expect(mapScimUser(scim, 'id')).toMatchObject({ displayName: 'Carol D.', email: 'carol@work.example', roles: ['admin'], active: true });
    expect(mapScimUser(scim, 'id', 'groups').roles).toEqual(['pilots']);
    expect(mapScimUser(scim, 'id', 'realm_access.roles').roles).toBeNull();
    expect(mapScimUser({ ...scim, displayName: undefined }, 'id').displayName).toBe('Dr. Carol Danvers');
    expect(mapScimUser({ ...scim, displayName: undefined, name: { givenName: 'Carol', familyName: 'Danvers' } }, 'id').displayName).toBe(
      'Carol Danvers',
    );
    expect(mapScimUser({ id: 's2', userName: 'dave', active: false }, 'id')).toMatchObject({
      displayName: 'dave',
      email: null,
      active: false,
      roles: [],
    });
  });

  it('Keycloak: the realm URL and the Admin API URL lead to the same endpoints', () => {
    for (const url of ['https://kc.example.com/realms/r', 'https://kc.example.com/admin/realms/r/', 'https://kc.example.com/realms/r/']) {
      expect(keycloakUrls(url)).toEqual({
        tokenUrl: new URL('https://kc.example.com/realms/r/protocol/openid-connect/token'),
        adminUrl: new URL('https://kc.example.com/admin/realms/r'),
      });
    }
    expect(keycloakUrls('https://kc.example.com/auth/admin/realms/r').tokenUrl.href).toBe(
      'https://kc.example.com/auth/realms/r/protocol/openid-connect/token',
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', Date.parse('2026-11-24T10:00:00Z'))).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
