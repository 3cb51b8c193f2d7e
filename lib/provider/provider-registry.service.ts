import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { ResolvedAuthOptions } from '../options/resolved-auth-options.js';
import { ConfiguredProvider } from './configured-provider.js';

/** What `GET /auth/providers` lists: the providers a user can sign in with, in configuration order. */
export interface ProviderSummary {
  slug: string;
  name: string;
}

/**
 * The configured providers, by slug (routes) and by issuer (tokens, sessions). The first one is
 * the default: the unslugged login routes use it.
 */
@Injectable()
export class ProviderRegistry {
  readonly all: readonly ConfiguredProvider[];
  private readonly bySlugMap: ReadonlyMap<string, ConfiguredProvider>;
  private readonly byIssuerMap: ReadonlyMap<string, ConfiguredProvider>;

  constructor(@Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions) {
    this.all = options.providers.map((settings) => new ConfiguredProvider(settings));
    this.bySlugMap = new Map(this.all.map((provider) => [provider.slug, provider]));
    this.byIssuerMap = new Map(this.all.map((provider) => [provider.issuer, provider]));
  }

  /** Provider 1. */
  get default(): ConfiguredProvider {
    return this.all[0];
  }

  /** True when more than one issuer is trusted (bearer tokens are then routed by `iss`). */
  get several(): boolean {
    return this.all.length > 1;
  }

  /** The provider a token's (or a session's) issuer names; undefined for any other issuer. */
  byIssuer(issuer: unknown): ConfiguredProvider | undefined {
    return typeof issuer === 'string' ? this.byIssuerMap.get(issuer) : undefined;
  }

  /** The login-capable provider a route's slug names (undefined: the default); else 404 JSON. */
  forLogin(slug?: unknown): ConfiguredProvider {
    const provider = slug === undefined ? this.default : typeof slug === 'string' ? this.bySlugMap.get(slug) : undefined;
    if (!provider || !provider.loginEnabled) {
      throw new AuthError(
        'AUTH_PROVIDER_NOT_FOUND',
        slug === undefined ? 'The default provider has no login.' : 'No provider with this name signs users in here.',
      );
    }
    return provider;
  }

  /** Login-capable providers, in configuration order. */
  summaries(): ProviderSummary[] {
    return this.all.filter((provider) => provider.loginEnabled).map(({ slug, name }) => ({ slug, name }));
  }

  /** Starts every provider's discovery in the background (at boot); none failing stops the boot. */
  warmUp(): void {
    for (const provider of this.all) provider.client.warmUp();
  }
}
