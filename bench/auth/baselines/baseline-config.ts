/** What a baseline app needs to check the sample app's bearer tokens the way it does. */
export interface BaselineConfig {
  issuer: string;
  jwksUri: string;
  audience: string;
}

export const BASELINE_CONFIG = Symbol('BASELINE_CONFIG');

/** The provider's discovery document names the JWKS. */
export async function discoverBaselineConfig(issuer: string, audience: string): Promise<BaselineConfig> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`discovery at ${issuer} answered ${res.status}`);
  const { jwks_uri: jwksUri } = (await res.json()) as { jwks_uri: string };
  return { issuer, jwksUri, audience };
}
