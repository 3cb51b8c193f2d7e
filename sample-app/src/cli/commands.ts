import * as client from 'openid-client';
import { CredentialStore, type StoredCredentials } from './credential-store.js';
import { CliError, clientConfiguration, fetchDeviceConfig, isRefusal, toStored } from './device-client.js';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface CommandContext {
  appUrl: string;
  store: CredentialStore;
  io: CliOutput;
  signal?: AbortSignal;
}

/** An access token this close to expiry is refreshed before use. */
const EXPIRY_MARGIN_SECONDS = 30;

/**
 * `login`: the device authorization grant (RFC 8628). The app names the provider and client;
 * the user opens the verification page in any browser and enters the code; meanwhile the CLI
 * polls the token endpoint at the interval the provider asks for.
 */
export async function login({ appUrl, store, io, signal }: CommandContext): Promise<void> {
  const settings = await fetchDeviceConfig(appUrl);
  const config = clientConfiguration(settings);
  const extra: Record<string, string> = settings.resource ? { resource: settings.resource } : {};
  const device = await client.initiateDeviceAuthorization(config, { scope: settings.scope, ...extra });
  io.out(`Open this page in a browser: ${device.verification_uri}`);
  io.out(`and enter the code: ${device.user_code}`);
  if (device.verification_uri_complete) io.out(`(or open ${device.verification_uri_complete})`);
  io.err('Waiting for the sign-in to be confirmed…');
  let tokens: Awaited<ReturnType<typeof client.pollDeviceAuthorizationGrant>>;
  try {
    tokens = await client.pollDeviceAuthorizationGrant(config, device, extra, { signal });
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      throw new CliError(
        error.error === 'expired_token'
          ? 'The code expired; run login again.'
          : `Sign-in refused: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`,
      );
    }
    throw error;
  }
  await store.put(appUrl, toStored(settings, tokens));
  const claims = tokens.claims();
  const name = claims?.preferred_username ?? claims?.email ?? claims?.sub;
  const who = typeof name === 'string' ? name : 'the user';
  io.out(`Signed in to ${appUrl} as ${who}; credentials in ${store.path}`);
}

/** `profile`: `GET /api/profile` with the stored access token, refreshed when it is (about to be) expired. */
export async function profile({ appUrl, store, io }: CommandContext): Promise<void> {
  let credentials = await store.get(appUrl);
  if (!credentials) throw new CliError(`Not signed in to ${appUrl}; run: npm run cli -- login`);
  let refreshed = false;
  if (credentials.expiresAt !== undefined && credentials.expiresAt - EXPIRY_MARGIN_SECONDS <= Date.now() / 1000) {
    credentials = await refresh(appUrl, store, credentials);
    refreshed = true;
  }
  let res = await callProfile(appUrl, credentials.accessToken);
  // Revoked or expired early at the provider: one refresh, then give up.
  if (res.status === 401 && !refreshed && credentials.refreshToken) {
    credentials = await refresh(appUrl, store, credentials);
    res = await callProfile(appUrl, credentials.accessToken);
  }
  const body = await res.text();
  if (!res.ok) throw new CliError(`${appUrl}/api/profile answered ${res.status}: ${body.slice(0, 300)}`);
  io.out(JSON.stringify(JSON.parse(body), null, 2));
}

/** `logout`: forgets the tokens of this app. */
export async function logout({ appUrl, store, io }: CommandContext): Promise<void> {
  io.out((await store.delete(appUrl)) ? `Signed out of ${appUrl}.` : `Not signed in to ${appUrl}.`);
}

async function callProfile(appUrl: string, accessToken: string): Promise<Response> {
  try {
    return await fetch(new URL('/api/profile', appUrl), {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${appUrl} (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Spends the refresh token; a refusal forgets the credentials (they cannot work any more). */
async function refresh(appUrl: string, store: CredentialStore, credentials: StoredCredentials): Promise<StoredCredentials> {
  if (!credentials.refreshToken) {
    await store.delete(appUrl);
    throw new CliError('The access token expired and there is no refresh token; run: npm run cli -- login');
  }
  const config = clientConfiguration(credentials);
  try {
    const tokens = await client.refreshTokenGrant(
      config,
      credentials.refreshToken,
      credentials.resource ? { resource: credentials.resource } : undefined,
    );
    const next = toStored(credentials, tokens, credentials);
    await store.put(appUrl, next);
    return next;
  } catch (error) {
    if (!isRefusal(error)) throw error;
    await store.delete(appUrl);
    throw new CliError('The provider refused to refresh the sign-in; run: npm run cli -- login');
  }
}
