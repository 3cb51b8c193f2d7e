import type { IncomingMessage } from 'node:http';

/** WebSocket client → the HTTP upgrade request that opened it (its cookie and Authorization). */
const upgradeRequests = new WeakMap<object, IncomingMessage>();

/** The part of a Nest WebSocket adapter (`WsAdapter`, `IoAdapter`, yours) that sees new clients. */
export interface ClientConnectBinder {
  bindClientConnect(server: unknown, callback: (...args: unknown[]) => void): unknown;
}

/**
 * Wraps a WebSocket adapter so that `AuthGuard` can authenticate gateway messages: every new
 * client is remembered with the upgrade request that opened it, whose session cookie or
 * `Authorization: Bearer` header then authenticates each message.
 *
 * ```ts
 * app.useWebSocketAdapter(keepUpgradeRequests(new WsAdapter(app)));
 * ```
 * Socket.IO keeps the request itself (`socket.request`): there it is optional. Without it, a
 * guarded `ws` message handler is refused (401), never let through.
 */
export function keepUpgradeRequests<T extends ClientConnectBinder>(adapter: T): T {
  const bind = adapter.bindClientConnect.bind(adapter);
  adapter.bindClientConnect = (server: unknown, callback: (...args: unknown[]) => void) =>
    bind(server, (...args: unknown[]) => {
      const [client, request] = args;
      if (client !== null && typeof client === 'object' && isIncomingMessage(request)) upgradeRequests.set(client, request);
      callback(...args);
    });
  return adapter;
}

/** The upgrade request of a WebSocket client: remembered by `keepUpgradeRequests`, or Socket.IO's own. */
export function upgradeRequestOf(client: unknown): IncomingMessage | undefined {
  if (client === null || typeof client !== 'object') return undefined;
  const kept = upgradeRequests.get(client);
  if (kept) return kept;
  const own = (client as { request?: unknown }).request;
  return isIncomingMessage(own) ? own : undefined;
}

function isIncomingMessage(value: unknown): value is IncomingMessage {
  const headers = (value as { headers?: unknown } | null | undefined)?.headers;
  return headers !== null && typeof headers === 'object';
}
