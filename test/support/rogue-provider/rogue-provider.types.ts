/** What a plan's `claims` callback gets to build the ID token payload from. */
export interface RogueIdTokenContext {
  issuer: string;
  clientId: string;
  nonce?: string;
  sub: string;
  /** Seconds since the epoch. */
  now: number;
}

/**
 * How a token is signed:
 * - `good`: RS256 with the current key (or the unpublished pending key, see `addUnpublishedKey`);
 * - `unknown-key`: RS256 with a fresh key that is never published;
 * - `none`: an unsecured JWT `header.payload.` with `alg: none`;
 * - `hs256-client-secret` / `hs256-other-secret`: HMAC with the client secret / another secret;
 * - `tampered-signature`: a good signature with some bytes flipped.
 */
export type RogueSigning = 'good' | 'unknown-key' | 'none' | 'hs256-client-secret' | 'hs256-other-secret' | 'tampered-signature';

export interface RogueIdTokenPlan {
  /** Replaces the default claims (iss, aud = clientId, sub, iat = now, exp = now + 300, nonce) if given. */
  claims?: (ctx: RogueIdTokenContext) => Record<string, unknown>;
  signing?: RogueSigning;
  /** Extra or overriding protected header fields, e.g. `typ`, `kid`, even a lying `alg`. */
  header?: Record<string, unknown>;
}

export interface RogueAccessTokenOptions {
  signing?: RogueSigning;
  typ?: string;
  kid?: string;
}

/** `hang`: requests are read and never answered (a provider stuck behind its load balancer). */
export type RogueAvailability = 'up' | 'down' | 'nonsense' | 'hang';
