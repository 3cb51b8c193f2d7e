import { describe, expect, it } from '@jest/globals';
import { readProviders } from './provider-env.js';
import { SampleConfigError } from './sample-config-error.js';

const BASE = 'http://localhost:3000';

function provider(n: number, slug: string): Record<string, string> {
  return {
    [`OIDC_PROVIDER_${n}_SLUG`]: slug,
    [`OIDC_PROVIDER_${n}_ISSUER`]: `https://${slug}.example.com`,
    [`OIDC_PROVIDER_${n}_CLIENT_ID`]: `${slug}-client`,
    [`OIDC_PROVIDER_${n}_CLIENT_SECRET`]: `${slug}-secret`,
  };
}

function refusal(env: Record<string, string>): SampleConfigError {
  try {
    readProviders(env, BASE, false);
  } catch (error) {
    if (error instanceof SampleConfigError) return error;
    throw error;
  }
  throw new Error('expected a SampleConfigError');
}

describe('numbered OIDC_PROVIDER_<n>_* variables', () => {
  it("reads the providers in number order with the contract's defaults", () => {
    const { numbered, providers } = readProviders(
      {
        ...provider(2, 'keycloak'),
        ...provider(1, 'authentik'),
        OIDC_PROVIDER_1_NAME: 'Authentik',
        OIDC_PROVIDER_2_ROLES_CLAIM: 'realm_access.roles',
        OIDC_PROVIDER_2_AUTO_PROVISION: 'false',
        OIDC_PROVIDER_2_ADMIN_EMAIL_DOMAINS: 'example.com, corp.example',
      },
      BASE,
      false,
    );
    expect(numbered).toBe(true);
    expect(providers.map((p) => p.slug)).toEqual(['authentik', 'keycloak']);
    expect(providers[0]).toMatchObject({
      name: 'Authentik',
      scope: 'openid profile email',
      audience: 'authentik-client',
      rolesClaim: 'roles',
      autoProvision: true,
      adminEmailDomains: [],
    });
    expect(providers[1]).toMatchObject({
      name: 'keycloak',
      rolesClaim: 'realm_access.roles',
      autoProvision: false,
      adminEmailDomains: ['example.com', 'corp.example'],
    });
  });

  it('names the variable for a gap, a repeated slug, both forms, a missing field, a bad value or an unknown variable', () => {
    expect(refusal({ ...provider(1, 'a'), ...provider(3, 'c') }).variable).toBe('OIDC_PROVIDER_2_ISSUER');
    expect(refusal({ ...provider(1, 'a'), ...provider(2, 'a') }).variable).toBe('OIDC_PROVIDER_2_SLUG');
    expect(refusal({ ...provider(1, 'a'), OIDC_ISSUER_URL: 'https://x.example.com' }).variable).toBe('OIDC_ISSUER_URL');
    const { OIDC_PROVIDER_2_CLIENT_SECRET: _omitted, ...missingSecret } = { ...provider(1, 'a'), ...provider(2, 'b') };
    expect(refusal(missingSecret).variable).toBe('OIDC_PROVIDER_2_CLIENT_SECRET');
    expect(refusal({ ...provider(1, 'a'), OIDC_PROVIDER_1_AUTO_PROVISION: 'maybe' }).variable).toBe('OIDC_PROVIDER_1_AUTO_PROVISION');
    expect(refusal({ ...provider(1, 'a'), OIDC_PROVIDER_1_ISSUER_URL: 'https://a.example.com' }).variable).toBe(
      'OIDC_PROVIDER_1_ISSUER_URL',
    );
    expect(refusal({ ...provider(1, 'Not A Slug') }).variable).toBe('OIDC_PROVIDER_1_SLUG');
    expect(refusal({ ...provider(1, 'a'), ...provider(0, 'z') }).variable).toBe('OIDC_PROVIDER_0_SLUG');
  });

  it('runs the development provider twice with DEV_PROVIDERS=2, only when it runs at all', () => {
    const { numbered, providers } = readProviders({ DEV_PROVIDERS: '2' }, BASE, true);
    expect(numbered).toBe(true);
    expect(providers.map((p) => [p.slug, p.issuerUrl])).toEqual([
      ['dev', `${BASE}/oidc`],
      ['dev2', `${BASE}/oidc2`],
    ]);
    expect(readProviders({}, BASE, true).numbered).toBe(false);
    expect(() => readProviders({ DEV_PROVIDERS: '3' }, BASE, true)).toThrow(/DEV_PROVIDERS/);
    expect(() => readProviders({ DEV_PROVIDERS: '2', OIDC_ISSUER_URL: 'https://x.example.com' }, BASE, false)).toThrow(/DEV_PROVIDERS/);
  });
});
