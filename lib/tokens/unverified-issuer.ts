import { MAX_BEARER_TOKEN_LENGTH } from './access-token.verifier.js';

/**
 * The `iss` a JWT claims, read WITHOUT verifying anything: used only to choose which configured
 * issuer's keys and audience verify the token, never as a fact. An issuer that is not configured
 * ends there (401) without any network call; keys are never fetched from a place a token names.
 */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.length > MAX_BEARER_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const iss = payload && typeof payload === 'object' ? (payload as { iss?: unknown }).iss : undefined;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
