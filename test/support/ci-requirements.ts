import { existsSync } from 'node:fs';

/** True when the suite runs in CI (`CI` set, as GitHub Actions and `.ci/run` do). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Where the one real-browser test finds Chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * What CI must have so that no part of the suite is skipped or silently downgraded: a real
 * PostgreSQL (`DATABASE_URL`; locally the suite falls back to PGlite) and Chromium. Returns
 * one message per missing part; empty outside CI.
 */
export function missingCiRequirements(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string[] {
  if (!isCI(env)) return [];
  const missing: string[] = [];
  if (!env.DATABASE_URL)
    missing.push('DATABASE_URL is not set: CI runs the suite against a real PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test).');
  const chromium = chromiumPath(env);
  if (!exists(chromium)) missing.push(`no Chromium at ${chromium}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  return missing;
}

/** jest globalSetup: in CI, a missing database server or browser fails the run instead of skipping. */
export default function globalSetup(): void {
  const missing = missingCiRequirements();
  if (missing.length > 0) throw new Error(`CI=true, but the suite cannot run in full:\n- ${missing.join('\n- ')}`);
}
