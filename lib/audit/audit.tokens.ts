/** Internal DI token of the resolved audit settings (`AuditSettings`). */
export const AUDIT_SETTINGS = Symbol('nestflux:audit-settings');
