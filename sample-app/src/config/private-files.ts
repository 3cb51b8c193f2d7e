import { chmod, mkdir, stat } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { SampleConfigError } from './sample-config-error.js';

/** Permission bits for group and others: none may be set on our private files. */
const SHARED_BITS = 0o077;
/** POSIX modes mean nothing on Windows (ACLs decide there). */
const CHECKED = process.platform !== 'win32';

/**
 * The data directory (embedded database, generated session secret, dev signing key), owner
 * only: created 0700; an existing one that group or others can enter (e.g. made 0755 by an
 * earlier version) is tightened to 0700, because everything in it is ours and private.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!CHECKED) return;
  const { mode } = await stat(dir);
  if ((mode & SHARED_BITS) === 0) return;
  await chmod(dir, 0o700);
  new Logger('Sample').warn(`tightened ${dir} from ${(mode & 0o777).toString(8)} to 700: it holds secrets`);
}

/**
 * Refuses a secret file that group or others can read: the session secret signs every session.
 * @param variable the environment variable that replaces the file (named in the message).
 */
export async function assertPrivateFile(file: string, variable: string): Promise<void> {
  if (!CHECKED) return;
  const { mode } = await stat(file);
  if ((mode & SHARED_BITS) === 0) return;
  throw new SampleConfigError(
    variable,
    `${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); it holds a secret. Run: chmod 600 ${file} (or set ${variable}).`,
  );
}
