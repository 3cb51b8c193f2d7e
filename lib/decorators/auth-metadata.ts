/** Metadata keys the decorators set and `AuthGuard` reads. */
export const IS_PUBLIC_KEY = 'nestflux:public';
export const ANY_ROLES_KEY = 'nestflux:roles:any';
export const ALL_ROLES_KEY = 'nestflux:roles:all';
export const SCOPES_KEY = 'nestflux:scopes';
export const STEP_UP_KEY = 'nestflux:step-up';
