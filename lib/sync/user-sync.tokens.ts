/** Internal DI token of the resolved sync options (`ResolvedUserSyncOptions`). */
export const USER_SYNC_OPTIONS = Symbol('nestflux:user-sync-options');
