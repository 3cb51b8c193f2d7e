import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../sample-app/src/cli.js';
import { credentialsPath } from '../../sample-app/src/cli/credential-store.js';
import { CookieAgent } from '../support/cookie-agent.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

/** The hidden and text inputs of the first form on a page, by name. */
function formFields(html: string): { action: string | undefined; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1];
    if (name) fields[name] = value ?? '';
  }
  return { action, fields };
}

/**
 * What a person does on another device: opens the verification page, types the code, confirms,
 * signs in on the development provider's form. Plain HTTP with a cookie jar, no browser.
 */
async function completeVerification(verificationUri: string, userCode: string, login: string): Promise<string> {
  const agent = new CookieAgent();
  const page = await agent.request(verificationUri);
  expect(page.status).toBe(200);
  const input = formFields(await page.text());
  expect(input.fields).toHaveProperty('user_code');
  const post = (url: string, form: Record<string, string>) =>
    agent.request(url, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const confirmPage = await post(new URL(input.action!, verificationUri).href, { ...input.fields, user_code: userCode });
  expect(confirmPage.status).toBe(200);
  const confirm = formFields(await confirmPage.text());
  expect(confirm.fields.confirm).toBe('yes');
  const started = await post(new URL(confirm.action!, verificationUri).href, confirm.fields);
  const { res: signInPage, url: signInUrl } = await agent.follow(new URL(started.headers.get('location')!, verificationUri));
  expect(signInPage.status).toBe(200);
  const signIn = formFields(await signInPage.text());
  expect(signIn.fields).toHaveProperty('login');
  const submitted = await post(new URL(signIn.action!, signInUrl).href, { login, password: '' });
  const { res: done } = await agent.follow(new URL(submitted.headers.get('location')!, signInUrl));
  return done.text();
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('device authorization grant: the sample CLI against the sample app and its development provider', () => {
  let app: SampleAppUnderTest;
  let configHome: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    app = await startSampleAppUnderTest();
    configHome = await mkdtemp(join(tmpdir(), 'nestflux-cli-'));
    env = { XDG_CONFIG_HOME: configHome, HOME: configHome };
  });

  afterAll(async () => {
    await app?.close();
    await rm(configHome, { recursive: true, force: true });
  });

  async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--url', app.baseUrl], env, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out, err };
  }

  async function stored(): Promise<{ apps: Record<string, { accessToken: string; refreshToken?: string; expiresAt?: number }> }> {
    return JSON.parse(await readFile(credentialsPath(env), 'utf8')) as Awaited<ReturnType<typeof stored>>;
  }

  it('GET /auth/device/config names the provider, the public CLI client and the endpoints from discovery', async () => {
    const res = await fetch(`${app.baseUrl}/auth/device/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      issuer: `${app.baseUrl}/oidc`,
      clientId: 'nestflux-sample-cli',
      deviceAuthorizationEndpoint: `${app.baseUrl}/oidc/device/auth`,
      tokenEndpoint: `${app.baseUrl}/oidc/token`,
      scope: 'openid profile email',
      audience: 'nestflux-sample',
    });
  });

  it('login: prints the page and code, polls until the user confirms, stores the tokens 0600 in a 0700 directory', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const login = runCli(['login', '--url', app.baseUrl], env, { out: (line) => out.push(line), err: (line) => err.push(line) });
    const verificationUri = await until(() => out.map((line) => /^Open this page in a browser: (\S+)$/.exec(line)?.[1]).find(Boolean));
    const userCode = await until(() => out.map((line) => /^and enter the code: (\S+)$/.exec(line)?.[1]).find(Boolean));
    expect(verificationUri).toBe(`${app.baseUrl}/oidc/device`);

    const successPage = await completeVerification(verificationUri, userCode, 'dora');
    expect(successPage).toContain('Device signed in');
    expect(await login).toBe(0);
    expect(out.at(-1)).toMatch(new RegExp(`^Signed in to ${app.baseUrl} as dora; credentials in `));

    const file = credentialsPath(env);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    const entry = (await stored()).apps[app.baseUrl];
    expect(entry.accessToken).toEqual(expect.any(String));
    expect(entry.refreshToken).toEqual(expect.any(String));
  });

  it('profile: the bearer guard accepts the device-flow access token', async () => {
    const run = await cli('profile');
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({ sub: 'dora', email: 'dora@example.test', roles: [] });
  });

  it('profile: an expired access token is refreshed first, and the new tokens are stored', async () => {
    const before = await stored();
    const entry = before.apps[app.baseUrl];
    // As if an hour had passed: the stored token counts as expired.
    before.apps[app.baseUrl] = { ...entry, expiresAt: Math.floor(Date.now() / 1000) - 10 };
    await writeFile(credentialsPath(env), JSON.stringify(before), { mode: 0o600 });

    const run = await cli('profile');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out.join('\n'))).toMatchObject({ sub: 'dora' });
    const after = (await stored()).apps[app.baseUrl];
    expect(after.accessToken).not.toBe(entry.accessToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now() / 1000 + 60);
    expect((await stat(credentialsPath(env))).mode & 0o777).toBe(0o600);
  });

  it('profile: a token the API refuses is refreshed once and the call retried', async () => {
    const file = await stored();
    file.apps[app.baseUrl].accessToken = 'not-a-token';
    await writeFile(credentialsPath(env), JSON.stringify(file), { mode: 0o600 });
    const run = await cli('profile');
    expect(run.code).toBe(0);
    expect((await stored()).apps[app.baseUrl].accessToken).not.toBe('not-a-token');
  });

  it('logout forgets the tokens; profile then asks for a login', async () => {
    expect(await cli('logout')).toMatchObject({ code: 0, out: [`Signed out of ${app.baseUrl}.`] });
    const run = await cli('profile');
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toContain('Not signed in');
  });

  it('a wrong user code is refused on the verification page and signs nobody in', async () => {
    const agent = new CookieAgent();
    const page = await agent.request(`${app.baseUrl}/oidc/device`);
    const input = formFields(await page.text());
    const res = await agent.request(new URL(input.action!, app.baseUrl), {
      method: 'POST',
      body: new URLSearchParams({ ...input.fields, user_code: 'BCDF-GHJK' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await res.text()).toContain('That code is unknown, used or expired');
  });
});
