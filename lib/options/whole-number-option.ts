import { AuthConfigError } from '../errors/auth-error.js';
import { describeValue } from '../errors/describe-value.js';

/** A whole-number option: its default when unset, else a whole number in [min, max] or a boot error naming `key`. */
export function wholeNumberOption(value: unknown, fallback: number, min: number, max: number, key: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AuthConfigError(key, `is ${describeValue(value)}`, `Use a whole number from ${min} to ${max}.`);
  }
  return value;
}
