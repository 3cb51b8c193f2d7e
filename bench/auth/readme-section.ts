import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** bench/README.md in the source tree (this file runs from dist/bench/auth/). */
const README = fileURLToPath(new URL('../../../bench/README.md', import.meta.url));

/**
 * Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in bench/README.md,
 * or appends the section to the file's end when the markers are missing.
 */
export async function writeReadmeSection(name: string, content: string): Promise<string | undefined> {
  if (!existsSync(README)) return undefined;
  const text = await readFile(README, 'utf8');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${content.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(README, next);
  return README;
}
