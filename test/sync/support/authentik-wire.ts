import type { GenericError, PaginatedUserList, Pagination, PartialGroup, Role, User } from '@goauthentik/api';

/**
 * The JSON Authentik puts on the wire for its generated client's types. The client's own
 * `UserToJSON` is for requests (it drops read-only fields such as `pk`, `uid`, `groups_obj`), so
 * the names are mapped here; each map covers every key of the type, so a field added to the
 * schema fails the typecheck until the fakes know it.
 */
const USER: { [K in keyof Required<User>]: string } = {
  pk: 'pk',
  username: 'username',
  name: 'name',
  isActive: 'is_active',
  lastLogin: 'last_login',
  dateJoined: 'date_joined',
  isSuperuser: 'is_superuser',
  groups: 'groups',
  groupsObj: 'groups_obj',
  roles: 'roles',
  rolesObj: 'roles_obj',
  email: 'email',
  avatar: 'avatar',
  attributes: 'attributes',
  uid: 'uid',
  path: 'path',
  type: 'type',
  uuid: 'uuid',
  passwordChangeDate: 'password_change_date',
  lastUpdated: 'last_updated',
};
const GROUP: { [K in keyof Required<PartialGroup>]: string } = {
  pk: 'pk',
  numPk: 'num_pk',
  name: 'name',
  isSuperuser: 'is_superuser',
  attributes: 'attributes',
};
const PAGINATION: { [K in keyof Required<Pagination>]: string } = {
  next: 'next',
  previous: 'previous',
  count: 'count',
  current: 'current',
  totalPages: 'total_pages',
  startIndex: 'start_index',
  endIndex: 'end_index',
};
const ERROR: { [K in keyof Required<GenericError>]: string } = { detail: 'detail', code: 'code' };

export function userToWire(user: User): Record<string, unknown> {
  const wire = rename(user, USER);
  wire.groups_obj = user.groupsObj === null ? null : user.groupsObj.map((group) => rename(group, GROUP));
  wire.roles_obj = user.rolesObj === null ? null : user.rolesObj.map((role: Role) => ({ pk: role.pk, name: role.name }));
  return wire;
}

export function userListToWire(list: PaginatedUserList): Record<string, unknown> {
  return { pagination: rename(list.pagination, PAGINATION), results: list.results.map(userToWire), autocomplete: list.autocomplete };
}

export function errorToWire(error: GenericError): Record<string, unknown> {
  return rename(error, ERROR);
}

function rename<T extends object>(value: T, names: { [K in keyof Required<T>]: string }): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const key of Object.keys(names) as Array<keyof T>) {
    const field = value[key];
    if (field === undefined) continue;
    wire[names[key]] = field instanceof Date ? field.toISOString() : field;
  }
  return wire;
}
