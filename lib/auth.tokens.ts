/**
 * Internal DI tokens: the resolved options and the slices derived from them, so each consumer
 * injects only what it needs. Not exported from the package entry point.
 */
export const RESOLVED_AUTH_OPTIONS = Symbol('nestflux:resolved-auth-options');
export const TOKEN_SETTINGS = Symbol('nestflux:token-settings');
export const SESSION_SETTINGS = Symbol('nestflux:session-settings');
export const LOGIN_SETTINGS = Symbol('nestflux:login-settings');
export const RATE_LIMIT_SETTINGS = Symbol('nestflux:rate-limit-settings');
export const ENFORCE_SETTINGS = Symbol('nestflux:enforce-settings');
export const AUTH_ROUTE_PREFIX = Symbol('nestflux:route-prefix');
export const DEVICE_FLOW_SETTINGS = Symbol('nestflux:device-flow-settings');
export const INTROSPECTION_SETTINGS = Symbol('nestflux:introspection-settings');
/** Whether `AuthGuard` is the app's global guard (the `globalGuard` extra), for the OpenAPI helper. */
export const AUTH_GLOBAL_GUARD = Symbol('nestflux:global-guard');
export const TOKEN_RELAY_SETTINGS = Symbol('nestflux:token-relay-settings');
export const FRONTCHANNEL_LOGOUT_SETTINGS = Symbol('nestflux:frontchannel-logout-settings');
