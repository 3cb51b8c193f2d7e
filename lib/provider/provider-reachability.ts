import { DependencyUnavailableError } from '../errors/auth-error.js';

/** A success this recent needs no probe before a login. */
const FRESH_MS = 5_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * What the app knows of the provider's health: the outcome of its last call (discovery, token
 * endpoint, probe). Logins ask it before sending a browser to the provider; when the last word is
 * older than a few seconds it probes once (single flight). While down, it answers 503 at once
 * and probes again only after a back-off (1 s doubling to 30 s), so an outage costs the provider
 * at most one request per back-off per instance.
 */
export class ProviderReachability {
  private lastSuccessAt = 0;
  private downUntil = 0;
  private backoffMs = FIRST_BACKOFF_MS;
  private probing: Promise<void> | undefined;

  constructor(private readonly probe: () => Promise<void>) {}

  succeeded(): void {
    this.lastSuccessAt = Date.now();
    this.downUntil = 0;
    this.backoffMs = FIRST_BACKOFF_MS;
  }

  failed(): void {
    this.downUntil = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /** Resolves when the provider answered lately (or answers a probe now); throws a 503 otherwise. */
  async assertReachable(): Promise<void> {
    const now = Date.now();
    if (now < this.downUntil) throw unavailable();
    if (now - this.lastSuccessAt < FRESH_MS) return;
    this.probing ??= this.probe()
      .then(
        () => this.succeeded(),
        (error: unknown) => {
          this.failed();
          throw unavailable(error);
        },
      )
      .finally(() => {
        this.probing = undefined;
      });
    await this.probing;
  }
}

function unavailable(cause?: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'The identity provider is unavailable; retry shortly.', { cause });
}
