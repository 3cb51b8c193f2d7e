import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * The development provider's authentication levels (`acr`), for trying step-up (RFC 9470): any
 * sign-in "happens" at the level the relying party asks for, since no real factor is checked.
 */
export const DEV_ACR_PASSWORD = 'urn:nestflux:dev:pwd';
export const DEV_ACR_MFA = 'urn:nestflux:dev:mfa';
export const DEV_ACR_VALUES = [DEV_ACR_PASSWORD, DEV_ACR_MFA];

/** The level a sign-in gets: the first requested one the provider knows (essential `acr` claim first), else password. */
export function devAcrFor(params: Record<string, unknown>): { acr: string; amr: string[] } {
  const requested: string[] = [];
  if (typeof params.claims === 'string') {
    try {
      const values = (JSON.parse(params.claims) as { id_token?: { acr?: { values?: unknown; value?: unknown } } }).id_token?.acr;
      if (Array.isArray(values?.values)) requested.push(...values.values.filter((v): v is string => typeof v === 'string'));
      if (typeof values?.value === 'string') requested.push(values.value);
    } catch {
      // oidc-provider has validated `claims` before any interaction: unreachable.
    }
  }
  if (typeof params.acr_values === 'string') requested.push(...params.acr_values.split(' '));
  const acr = requested.find((value) => DEV_ACR_VALUES.includes(value)) ?? DEV_ACR_PASSWORD;
  return { acr, amr: acr === DEV_ACR_MFA ? ['pwd', 'otp'] : ['pwd'] };
}

/**
 * oidc-provider's policy with one more reason to show the sign-in: `acr_values` that the current
 * provider session does not meet. (oidc-provider treats `acr_values` as voluntary and lets it
 * replace an essential `acr` of the claims parameter; a step-up must sign in again here.)
 */
export function devInteractionPolicy(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('acr_values_unmet', 'the requested authentication level was not reached', (ctx: KoaContextWithOIDC) => {
      const requested = typeof ctx.oidc.params?.acr_values === 'string' ? ctx.oidc.params.acr_values.split(' ') : [];
      const known = requested.filter((value) => DEV_ACR_VALUES.includes(value));
      return known.length > 0 && !known.includes(ctx.oidc.acr ?? '')
        ? interactionPolicy.Check.REQUEST_PROMPT
        : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
