import { AuthEnvError } from './auth-env.error.js';

/** The environment as `process.env` has it. */
export type AuthEnv = Record<string, string | undefined>;

/** A set, non-blank value (trimmed), or undefined. Empty counts as unset for optional variables. */
export function optional(env: AuthEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function required(env: AuthEnv, name: string, what: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new AuthEnvError(name, `${name} is ${env[name] === undefined ? 'not set' : 'empty'}: set it to ${what}.`);
  return value;
}

export function booleanVar(env: AuthEnv, name: string, fallback: boolean): boolean {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new AuthEnvError(name, `${name} must be true or false, got "${value}".`);
}

export function integerVar(env: AuthEnv, name: string, fallback: number, min: number, max: number, unit = ''): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new AuthEnvError(name, `${name} must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}, got "${value}".`);
  }
  return number;
}

export function listVar(env: AuthEnv, name: string, fallback: string[] = []): string[] {
  const value = env[name];
  if (value === undefined) return fallback;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function urlVar(env: AuthEnv, name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('not http(s)');
    return value;
  } catch {
    throw new AuthEnvError(name, `${name} must be an http(s) URL, got "${value}".`);
  }
}
