import { STEP_UP_KEY } from './auth-metadata.js';

/** What a route asks of the user's authentication event (RFC 9470). */
export interface StepUpRequirement {
  /** One of these `acr` values (RFC 9470 `acr_values`). */
  acrValues?: string[];
  /** Multi-factor authentication: `amr` (RFC 8176) with `mfa`, or two distinct methods. */
  mfa?: boolean;
  /** The authentication at most this many seconds ago (`auth_time`; RFC 9470 `max_age`). */
  maxAgeSeconds?: number;
}

export interface StepUpOptions {
  /** Seconds since the user authenticated (`auth_time`). Default: any age. */
  maxAge?: number;
}

/**
 * The route needs a user who authenticated with one of these `acr` values (RFC 9470): otherwise
 * 401 with `WWW-Authenticate: Bearer error="insufficient_user_authentication", acr_values=…`.
 * Combines with `@RequireMfa()`.
 */
export function RequireAcr(acr: string | string[], options: StepUpOptions = {}): MethodDecorator & ClassDecorator {
  const acrValues = Array.isArray(acr) ? [...acr] : [acr];
  if (acrValues.length === 0 || acrValues.some((value) => typeof value !== 'string' || value === '' || /[\s"\\]/.test(value))) {
    throw new TypeError('@RequireAcr() needs one or more acr values without spaces or quotes');
  }
  return requirement({ acrValues, maxAgeSeconds: maxAge(options) });
}

/** The route needs a user who authenticated with more than one factor (RFC 8176 `amr`). */
export function RequireMfa(options: StepUpOptions = {}): MethodDecorator & ClassDecorator {
  return requirement({ mfa: true, maxAgeSeconds: maxAge(options) });
}

function maxAge(options: StepUpOptions): number | undefined {
  const { maxAge: value } = options;
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new TypeError('"maxAge" must be a whole number of seconds');
  return value;
}

/** Merges with a requirement already on the same target, so both decorators can stack. */
function requirement(added: StepUpRequirement): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as object;
    const existing = (Reflect.getMetadata(STEP_UP_KEY, holder) as StepUpRequirement | undefined) ?? {};
    const merged: StepUpRequirement = { ...existing };
    if (added.acrValues) merged.acrValues = added.acrValues;
    if (added.mfa) merged.mfa = true;
    if (added.maxAgeSeconds !== undefined) {
      merged.maxAgeSeconds = Math.min(added.maxAgeSeconds, existing.maxAgeSeconds ?? Number.POSITIVE_INFINITY);
    }
    Reflect.defineMetadata(STEP_UP_KEY, merged, holder);
  };
}
