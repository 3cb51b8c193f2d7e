import { parseArgs } from 'node:util';
import { login, logout, profile, type CliOutput, type CommandContext } from './cli/commands.js';
import { CredentialStore, credentialsPath } from './cli/credential-store.js';
import { CliError, checkTransport } from './cli/device-client.js';
import { isEntryPoint } from './entry-point.js';

const USAGE = `usage: npm run cli -- <login|profile|logout> [--url http://localhost:3000]

  login     sign in with the device authorization grant (open a page, enter a code)
  profile   print the signed-in user (GET /api/profile), refreshing the token when needed
  logout    forget the stored tokens

The app's URL: --url, else NESTFLUX_SAMPLE_URL, else http://localhost:3000.
Tokens live in $XDG_CONFIG_HOME/nestflux-sample/credentials.json (default ~/.config/…), mode 0600.`;

const COMMANDS = { login, profile, logout } as const;

/**
 * The sample CLI (`npm run cli -- login`): a command-line client of the sample app that signs in
 * with the device authorization grant (RFC 8628) and calls the API with a bearer token. Nothing
 * about the provider is built in: `GET /auth/device/config` of the app says it. Returns the exit code.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: CliOutput = consoleOutput,
  signal?: AbortSignal,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`cli: ${error instanceof Error ? error.message : String(error)}`);
    io.err(USAGE);
    return 2;
  }
  const { command, url, help } = parsed;
  if (help || !command) {
    if (help) io.out(USAGE);
    else io.err(USAGE);
    return help ? 0 : 2;
  }
  const run = COMMANDS[command as keyof typeof COMMANDS];
  if (!run) {
    io.err(`cli: unknown command "${command}"`);
    io.err(USAGE);
    return 2;
  }
  try {
    const appUrl = checkTransport(url ?? env.NESTFLUX_SAMPLE_URL ?? 'http://localhost:3000', 'the app URL').origin;
    const context: CommandContext = { appUrl, store: new CredentialStore(credentialsPath(env)), io, signal };
    await run(context);
    return 0;
  } catch (error) {
    io.err(`cli: ${error instanceof CliError ? error.message : describe(error)}`);
    return 1;
  }
}

function parse(argv: string[]): { command: string | undefined; url: string | undefined; help: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (positionals.length > 1) throw new Error(`one command at a time, got ${positionals.join(' ')}`);
  return { command: positionals[0], url: values.url, help: values.help === true };
}

/** Names the failure without dumping a request (which could hold a token). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
}

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

if (isEntryPoint(import.meta.url)) {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.exitCode = await runCli(process.argv.slice(2), process.env, consoleOutput, abort.signal);
}
