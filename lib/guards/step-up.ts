import type { StepUpRequirement } from '../decorators/step-up.decorator.js';
import type { AuthUser } from '../users/auth-user.js';

/** RFC 8176 §2 authentication method references. */
const AMR_METHODS = new Set([
  'face',
  'fpt',
  'geo',
  'hwk',
  'iris',
  'kba',
  'mca',
  'mfa',
  'otp',
  'pin',
  'pwd',
  'rba',
  'retina',
  'sc',
  'sms',
  'swk',
  'tel',
  'user',
  'vbm',
  'wia',
]);

/** Why a user's authentication falls short of a requirement, or undefined when it satisfies it. */
export function stepUpShortfall(
  user: AuthUser,
  requirement: StepUpRequirement,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | undefined {
  const event = user.authentication;
  if (!event) return 'the authentication level of this sign-in is unknown';
  if (requirement.acrValues && (event.acr === undefined || !requirement.acrValues.includes(event.acr))) {
    return `requires acr ${requirement.acrValues.join(' or ')}`;
  }
  if (requirement.mfa && !isMultiFactor(event.amr)) return 'requires multi-factor authentication';
  if (requirement.maxAgeSeconds !== undefined) {
    if (event.authTime === undefined) return 'requires a known authentication time';
    if (nowSeconds - event.authTime > requirement.maxAgeSeconds)
      return `requires an authentication within the last ${requirement.maxAgeSeconds} s`;
  }
  return undefined;
}

/** `mfa` itself, or two distinct known methods (`pwd` + `otp`, `hwk` + `pin`, …). */
function isMultiFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  if (amr.includes('mfa')) return true;
  return new Set(amr.filter((method) => AMR_METHODS.has(method))).size >= 2;
}
