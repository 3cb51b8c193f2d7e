import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AuthModule,
  CurrentUser,
  SessionTokensService,
  type AuthModuleOptions,
  type AuthProviderOptions,
  type AuthUser,
} from '@nestflux/auth';
import { decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  startStandaloneDevIdentityProvider,
  type StandaloneDevIdentityProvider,
  type StandaloneDevIdentityProviderOptions,
} from '../../sample-app/src/dev-identity-provider/index.js';
import { CookieAgent } from './cookie-agent.js';
import { freePort } from './free-port.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const SESSION_SECRET = 'two-provider-bed-session-secret-0123456789abcdef';

/** One of the bed's identity providers: a real oidc-provider on its own loopback port. */
export interface BedProvider {
  slug: string;
  clientId: string;
  clientSecret: string;
  /** Its RS256 private key, so tests can sign what the provider would (logout tokens). */
  signingKey: JWK;
  idp: StandaloneDevIdentityProvider;
}

export interface TwoProviderBedOptions {
  /** Per slug: extra provider options (name, autoProvision, adminEmailDomains, fetchUserInfo, …). */
  providers?: Record<string, Partial<AuthProviderOptions>>;
  /** Per slug: extra options of that development provider (access token TTL, minimal ID tokens, …). */
  idp?: Record<string, Partial<StandaloneDevIdentityProviderOptions>>;
  /** Trusted issuers without login (gateways), appended after the two providers. */
  extraIssuers?: AuthProviderOptions[];
  options?: Partial<AuthModuleOptions>;
  /** Reuse a database (e.g. to boot a second configuration on the same tables). */
  database?: TestDatabase;
}

export interface TwoProviderBed {
  base: string;
  app: INestApplication;
  database: TestDatabase;
  /** `one` and `two`, in configuration order. */
  providers: Record<'one' | 'two', BedProvider>;
  signIn(slug: string, login: string, agent?: CookieAgent): Promise<{ agent: CookieAgent; final: Response }>;
  close(): Promise<void>;
}

@Controller('api')
class BedController {
  constructor(private readonly tokens: SessionTokensService) {}

  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { id: user.id, sub: user.sub, issuer: user.issuer, email: user.email, roles: user.roles, displayName: user.displayName };
  }

  /** The issuer of the session's provider access token (forcing a refresh through that provider). */
  @Get('refreshed-token-issuer')
  async refreshedTokenIssuer(@CurrentUser() user: AuthUser) {
    return { iss: decodeJwt(await this.tokens.accessToken(user, { forceRefresh: true })).iss };
  }
}

/**
 * Two real identity providers (the development provider, i.e. oidc-provider, twice, each with its
 * own issuer, keys and client) and one host app configured with both (`providers`), on a real
 * database: slugs `one` and `two`, redirect URIs `<base>/auth/callback/<slug>`.
 */
export async function startTwoProviderBed(options: TwoProviderBedOptions = {}): Promise<TwoProviderBed> {
  const database = options.database ?? (await createTestDatabase());
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const providers = {} as Record<'one' | 'two', BedProvider>;
  let app: INestApplication | undefined;
  try {
    for (const slug of ['one', 'two'] as const) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const signingKey: JWK = { ...(await exportJWK(privateKey)), kid: `${slug}-key`, alg: 'RS256' };
      const clientId = `bed-${slug}`;
      const idp = await startStandaloneDevIdentityProvider({
        clients: [
          {
            clientId,
            clientSecret: `${clientId}-secret`,
            redirectUris: [`${base}/auth/callback/${slug}`],
            postLogoutRedirectUris: [`${base}/`],
          },
        ],
        accessTokenAudience: clientId,
        signingKey,
        autoLoginHint: true,
        ...options.idp?.[slug],
      });
      providers[slug] = { slug, clientId, clientSecret: `${clientId}-secret`, signingKey, idp };
    }
    const list: AuthProviderOptions[] = (['one', 'two'] as const).map((slug) => ({
      slug,
      name: slug === 'one' ? 'Provider One' : 'Provider Two',
      issuerUrl: providers[slug].idp.issuer,
      clientId: providers[slug].clientId,
      clientSecret: providers[slug].clientSecret,
      ...options.providers?.[slug],
    }));

    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: database.url, autoLoadEntities: true, extra: { max: database.poolSize } }),
        AuthModule.forRoot({
          baseUrl: base,
          session: { secret: SESSION_SECRET },
          providers: [...list, ...(options.extraIssuers ?? [])],
          ...options.options,
        }),
      ],
      controllers: [BedController],
    })
    class TwoProviderModule {}
    app = await NestFactory.create(TwoProviderModule, { logger: false, abortOnError: false });
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await app?.close();
    await Promise.all(Object.values(providers).map(({ idp }) => idp.close()));
    if (!options.database) await database.close();
    throw error;
  }
  const running = app;
  return {
    base,
    app: running,
    database,
    providers,
    signIn: (slug, login, agent) => signInAt(base, slug, login, agent),
    async close() {
      await running.close();
      await Promise.all(Object.values(providers).map(({ idp }) => idp.close().catch(() => undefined)));
      if (!options.database) await database.close();
    },
  };
}

/**
 * A browser login at one provider: `GET /auth/login/<slug>` → the provider (its `login_hint`
 * signs the user in at once) → `/auth/callback/<slug>`. Returns the callback's answer.
 */
export async function signInAt(
  base: string,
  slug: string,
  login: string,
  agent = new CookieAgent(),
  start = `/auth/login/${slug}`,
): Promise<{ agent: CookieAgent; final: Response }> {
  const first = await agent.request(new URL(start, base));
  if (first.status !== 302) return { agent, final: first };
  const authorize = new URL(first.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const isCallback = (url: URL) => url.origin === new URL(base).origin && url.pathname.startsWith('/auth/callback');
  const { url } = await agent.follow(authorize, isCallback);
  if (!isCallback(url)) throw new Error(`login at ${slug} did not reach the callback (${url.href})`);
  return { agent, final: await agent.request(url) };
}

/** Follows a login at `slug` up to (not into) the app's callback: the callback URL with code and state. */
export async function callbackUrlFor(
  base: string,
  slug: string,
  login: string,
  agent: CookieAgent,
  start = `/auth/login/${slug}`,
): Promise<URL> {
  const first = await agent.request(new URL(start, base));
  if (first.status !== 302) throw new Error(`login at ${slug} answered ${first.status}`);
  const authorize = new URL(first.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const { url } = await agent.follow(authorize, (u) => u.origin === new URL(base).origin);
  return url;
}
