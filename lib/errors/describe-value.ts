/**
 * A value for an error message, readable whatever it is: `String({})` says "[object Object]",
 * this says `{"a":1}`. For configuration and input errors, never for secrets.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
