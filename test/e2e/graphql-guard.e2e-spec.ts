import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, Public, Roles, type AuthUser } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { rogueSignIn } from '../support/rogue-session.js';

const CLIENT_ID = 'graphql-client';
const CLIENT_SECRET = 'graphql-client-secret-value';

@ObjectType()
class Viewer {
  @Field(() => String) sub!: string;
  @Field(() => [String]) roles!: string[];
  @Field(() => String) via!: string;
}

/** Behind the module's global guard, like every resolver of a host app. */
@Resolver()
class ViewerResolver {
  @Public()
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  /** Reads no user: before the fix, anyone got it. */
  @Query(() => String)
  secret(): string {
    return 'classified';
  }

  @Query(() => Viewer)
  viewer(@CurrentUser() user: AuthUser): Viewer {
    return { sub: user.sub, roles: user.roles, via: user.via };
  }

  @Roles('admin')
  @Query(() => String)
  adminReport(@CurrentUser('sub') sub: string): string {
    return `report for ${sub}`;
  }

  @Roles('admin')
  @Mutation(() => String)
  rotate(): string {
    return 'rotated';
  }
}

interface GraphQlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string; statusCode?: number } }>;
}

/** GraphQL (Apollo over Express) behind the global AuthGuard: resolvers were unguarded before. */
describe('AuthGuard on GraphQL resolvers', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      imports: [GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })],
      providers: [ViewerResolver],
    });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  // One subject per role set: a user's roles are also their record's (see 'bearer roles' in the README).
  const bearer = async (roles: string[] = [], sub = 'gql-user') => `Bearer ${await rogue.signAccessToken({ sub, aud: CLIENT_ID, roles })}`;

  async function post(query: string, authorization?: string): Promise<{ status: number; body: GraphQlAnswer }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    const res = await fetch(`${host.baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as GraphQlAnswer };
  }

  // GraphQL answers 200 with `errors` (other fields of one operation may be public); the
  // auth error's code and status travel in `extensions`.
  it('refuses an anonymous query with AUTH_UNAUTHENTICATED (and no data)', async () => {
    const { status, body } = await post('{ secret }');
    expect(status).toBe(200);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toMatchObject({ code: 'AUTH_UNAUTHENTICATED', statusCode: 401 });
  });

  it('refuses a bad bearer token with AUTH_TOKEN_INVALID', async () => {
    const forged = `Bearer ${await rogue.signAccessToken({ sub: 'gql-user', aud: CLIENT_ID }, { signing: 'unknown-key' })}`;
    const { status, body } = await post('{ secret }', forged);
    expect(status).toBe(200);
    expect(body.data ?? null).toBeNull();
    expect(body.errors![0].extensions).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('serves @Public() resolvers to anyone', async () => {
    const { status, body } = await post('{ hello }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { hello: 'world' } });
  });

  it('gives @CurrentUser() to a resolver for a bearer token', async () => {
    const { status, body } = await post('{ secret viewer { sub roles via } }', await bearer(['reader']));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { secret: 'classified', viewer: { sub: 'gql-user', roles: ['reader'], via: 'bearer' } } });
  });

  it('enforces @Roles() on queries and mutations', async () => {
    const reader = await bearer(['reader']);
    const denied = await post('{ adminReport }', reader);
    expect(denied.body.data ?? null).toBeNull();
    expect(denied.body.errors![0].extensions).toMatchObject({ code: 'AUTH_FORBIDDEN_ROLE', statusCode: 403 });
    const deniedMutation = await post('mutation { rotate }', reader);
    expect(deniedMutation.body.errors![0].extensions).toMatchObject({ code: 'AUTH_FORBIDDEN_ROLE' });

    const admin = await bearer(['admin'], 'gql-admin');
    expect((await post('{ adminReport }', admin)).body).toEqual({ data: { adminReport: 'report for gql-admin' } });
    expect((await post('mutation { rotate }', admin)).body).toEqual({ data: { rotate: 'rotated' } });
  });

  it('authenticates a session cookie (GET query, no token in the page)', async () => {
    const agent = await rogueSignIn(host.baseUrl, 'gql-browser-user');
    const url = `${host.baseUrl}/graphql?query=${encodeURIComponent('{ viewer { sub via } }')}`;
    // Apollo's CSRF prevention wants a non-simple header on GET operations.
    const res = await agent.request(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: { sub: 'gql-browser-user', via: 'session' } } });
    const anonymous = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await anonymous.json()) as GraphQlAnswer).errors![0].extensions).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });
});
