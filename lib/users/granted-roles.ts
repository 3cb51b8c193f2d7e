/**
 * SQL for "the provider's roles plus the roles the app granted" (`auth_users.granted_roles`: an
 * admin email domain at provisioning, an invite), in the provider's order, without duplicates.
 * Every write of a provider's roles goes through it, so a granted role survives the next login,
 * refresh or sync. With nothing granted (the usual case) it is the provider's roles as they are.
 */
export function withGrantedRoles(providerRoles: string, grantedRoles: string): string {
  return `CASE WHEN ${grantedRoles} = '[]'::jsonb THEN ${providerRoles} ELSE (
    SELECT COALESCE(jsonb_agg(r.role ORDER BY r.position), '[]'::jsonb) FROM (
      SELECT DISTINCT ON (role) role, position
        FROM jsonb_array_elements_text(${providerRoles} || ${grantedRoles}) WITH ORDINALITY AS t(role, position)
       ORDER BY role, position) r) END`;
}
