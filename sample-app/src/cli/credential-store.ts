import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What the CLI keeps per app: the device-grant parameters it used and the provider's tokens. */
export interface StoredCredentials {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  scope: string;
  resource?: string;
  accessToken: string;
  refreshToken?: string;
  /** Unix seconds; absent when the provider did not say. */
  expiresAt?: number;
}

interface CredentialsFile {
  version: 1;
  /** Keyed by the app's base URL: one CLI can be signed in to several apps. */
  apps: Record<string, StoredCredentials>;
}

/** `$XDG_CONFIG_HOME/nestflux-sample/credentials.json`, or `~/.config/nestflux-sample/…`. */
export function credentialsPath(env: Record<string, string | undefined>): string {
  const configHome =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(configHome, 'nestflux-sample', 'credentials.json');
}

/**
 * The tokens on disk, readable by their owner only: the directory 0700, the file 0600 (written
 * to a private temporary file and renamed over the old one, so no reader sees half a file and
 * no moment exists where the tokens sit in a file with looser permissions).
 */
export class CredentialStore {
  constructor(readonly path: string) {}

  async get(appUrl: string): Promise<StoredCredentials | undefined> {
    return (await this.load()).apps[appUrl];
  }

  async put(appUrl: string, credentials: StoredCredentials): Promise<void> {
    const file = await this.load();
    file.apps[appUrl] = credentials;
    await this.save(file);
  }

  /** True when there was something to forget. */
  async delete(appUrl: string): Promise<boolean> {
    const file = await this.load();
    if (!(appUrl in file.apps)) return false;
    delete file.apps[appUrl];
    if (Object.keys(file.apps).length === 0) await rm(this.path, { force: true });
    else await this.save(file);
    return true;
  }

  private async load(): Promise<CredentialsFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, apps: {} };
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return { version: 1, apps: parsed && typeof parsed.apps === 'object' && parsed.apps ? parsed.apps : {} };
  }

  private async save(file: CredentialsFile): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // An existing directory keeps its mode on mkdir: tighten it (it holds tokens).
    if (process.platform !== 'win32' && ((await stat(dir)).mode & 0o077) !== 0) await chmod(dir, 0o700);
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(temporary, 0o600);
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
