import type { RogueKeyRing } from './rogue-key-ring.js';
import type { RogueIdTokenContext, RogueIdTokenPlan } from './rogue-provider.types.js';
import { signRogueJwt } from './sign-rogue-jwt.js';

/** The ID token a well-behaved provider would issue, unless the plan replaces the claims. */
export function defaultIdTokenClaims(ctx: RogueIdTokenContext): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    aud: ctx.clientId,
    sub: ctx.sub,
    iat: ctx.now,
    exp: ctx.now + 300,
  };
  if (ctx.nonce !== undefined) claims.nonce = ctx.nonce;
  return claims;
}

export function signRogueIdToken(
  plan: RogueIdTokenPlan,
  input: { ctx: RogueIdTokenContext; keys: RogueKeyRing; clientSecret: string },
): Promise<string> {
  return signRogueJwt({
    payload: (plan.claims ?? defaultIdTokenClaims)(input.ctx),
    signing: plan.signing ?? 'good',
    header: plan.header,
    defaultTyp: 'JWT',
    keys: input.keys,
    clientSecret: input.clientSecret,
  });
}
