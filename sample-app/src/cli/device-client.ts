import * as client from 'openid-client';
import type { StoredCredentials } from './credential-store.js';

/** `GET /auth/device/config` of the app (see the library's `DeviceFlowConfig`). */
export interface DeviceConfig {
  issuer: string;
  clientId: string;
  deviceAuthorizationEndpoint: string;
  tokenEndpoint: string;
  scope: string;
  audience: string;
  resource?: string;
}

/** A failure the CLI reports in one line and exits 1 on: no stack, no token. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain http only on loopback (as the app itself requires of its issuer). */
export function checkTransport(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`${what} is not a URL: ${url}`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed;
  throw new CliError(`${what} must be https (plain http only on localhost): ${url}`);
}

/** Asks the app which provider, client and endpoints to use. */
export async function fetchDeviceConfig(appUrl: string): Promise<DeviceConfig> {
  let res: Response;
  try {
    res = await fetch(new URL('/auth/device/config', appUrl), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach ${appUrl} (${error instanceof Error ? error.message : String(error)}); is the app running? (--url / NESTFLUX_SAMPLE_URL)`,
    );
  }
  const body = (await res.json().catch(() => undefined)) as (Partial<DeviceConfig> & { message?: string }) | undefined;
  if (res.status === 404) throw new CliError(`${appUrl} does not offer device sign-in: ${body?.message ?? 'not found'}`);
  if (!res.ok) throw new CliError(`${appUrl} answered ${res.status}: ${body?.message ?? 'no details'}`);
  for (const key of ['issuer', 'clientId', 'deviceAuthorizationEndpoint', 'tokenEndpoint', 'scope'] as const) {
    if (typeof body?.[key] !== 'string' || body[key] === '') throw new CliError(`${appUrl}/auth/device/config has no "${key}"`);
  }
  return body as DeviceConfig;
}

/** openid-client's view of the provider, from the app's answer (or what was stored at login). */
export function clientConfiguration(
  settings: Pick<DeviceConfig, 'issuer' | 'clientId' | 'tokenEndpoint'> & { deviceAuthorizationEndpoint?: string },
): client.Configuration {
  const endpoints = [checkTransport(settings.issuer, 'the issuer'), checkTransport(settings.tokenEndpoint, 'the token endpoint')];
  if (settings.deviceAuthorizationEndpoint)
    endpoints.push(checkTransport(settings.deviceAuthorizationEndpoint, 'the device authorization endpoint'));
  const config = new client.Configuration(
    {
      issuer: settings.issuer,
      token_endpoint: settings.tokenEndpoint,
      device_authorization_endpoint: settings.deviceAuthorizationEndpoint,
    },
    settings.clientId,
    undefined,
    // A public client: a CLI cannot keep a secret.
    client.None(),
  );
  if (endpoints.some((url) => url.protocol === 'http:')) client.allowInsecureRequests(config);
  return config;
}

/** The tokens to keep from a token response (the refresh token survives a response without one). */
export function toStored(
  settings: DeviceConfig | StoredCredentials,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  previous?: StoredCredentials,
): StoredCredentials {
  const expiresIn = tokens.expiresIn();
  return {
    issuer: settings.issuer,
    clientId: settings.clientId,
    tokenEndpoint: settings.tokenEndpoint,
    scope: settings.scope,
    ...(settings.resource ? { resource: settings.resource } : {}),
    accessToken: tokens.access_token,
    ...((tokens.refresh_token ?? previous?.refreshToken) ? { refreshToken: tokens.refresh_token ?? previous?.refreshToken } : {}),
    ...(expiresIn !== undefined ? { expiresAt: Math.floor(Date.now() / 1000) + expiresIn } : {}),
  };
}

/** A refresh the provider refused (expired, revoked): sign in again. Network trouble is not that. */
export function isRefusal(error: unknown): boolean {
  return error instanceof client.ResponseBodyError && (error.error === 'invalid_grant' || error.error === 'invalid_client');
}
