import { setTimeout as sleep } from 'node:timers/promises';
import { UserSyncError } from './user-sync.errors.js';

/** How a directory source talks HTTP: the sync options' timeout and retry settings. */
export interface DirectoryHttpSettings {
  requestTimeoutMs: number;
  retries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
}

export interface DirectoryRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  signal?: AbortSignal;
}

/**
 * The small HTTP client every built-in source uses (global `fetch`): a timeout per request,
 * retries with exponential backoff on 429, 5xx and network errors (a `Retry-After` header
 * wins), and no retry on 401/403, which throw `SYNC_SOURCE_UNAUTHORIZED` at once.
 */
export class DirectoryHttpClient {
  constructor(private readonly settings: DirectoryHttpSettings) {}

  async json(url: URL, request: DirectoryRequest = {}): Promise<unknown> {
    const { retries } = this.settings;
    const method = request.method ?? 'GET';
    const where = `${method} ${url.origin}${url.pathname}${url.search}`;
    let lastProblem = 'no attempt';
    let delay = 0;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await this.wait(delay, request.signal, where);
      delay = this.backoff(attempt);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { accept: 'application/json', ...request.headers },
          body: request.body,
          redirect: 'error',
          signal: this.signal(request.signal),
        });
      } catch (error) {
        if (request.signal?.aborted) throw new UserSyncError('SYNC_ABORTED', `${where} was cancelled`, { cause: error });
        lastProblem = describeNetworkError(error, this.settings.requestTimeoutMs);
        continue;
      }
      if (response.ok) return this.readJson(response, where, request.signal);
      if (response.status === 401 || response.status === 403) {
        const detail = await errorDetail(response);
        throw new UserSyncError(
          'SYNC_SOURCE_UNAUTHORIZED',
          `${where} answered ${response.status}${detail ? ` (${detail})` : ''}: check the sync credentials and their permissions`,
          { status: response.status, detail },
        );
      }
      if (response.status !== 429 && response.status < 500) {
        const detail = await errorDetail(response);
        throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `${where} answered ${response.status}${detail ? ` (${detail})` : ''}`, {
          status: response.status,
          detail,
        });
      }
      await response.body?.cancel().catch(() => undefined);
      lastProblem = `answered ${response.status}`;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined) delay = Math.min(retryAfter, this.settings.maxRetryDelayMs);
    }
    throw new UserSyncError('SYNC_SOURCE_UNAVAILABLE', `${where} failed after ${retries + 1} attempts (last: ${lastProblem})`);
  }

  private async readJson(response: Response, where: string, signal: AbortSignal | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw new UserSyncError('SYNC_ABORTED', `${where} was cancelled`, { cause: error });
      throw new UserSyncError(
        'SYNC_SOURCE_UNAVAILABLE',
        `${where}: the response body broke off (${describeNetworkError(error, this.settings.requestTimeoutMs)})`,
        { cause: error },
      );
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `${where} did not answer JSON`, { cause: error, status: response.status });
    }
  }

  private signal(outer: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
    return outer ? AbortSignal.any([outer, timeout]) : timeout;
  }

  /** Doubling from the base, capped. */
  private backoff(attempt: number): number {
    return Math.min(this.settings.retryBaseDelayMs * 2 ** attempt, this.settings.maxRetryDelayMs);
  }

  private async wait(ms: number, signal: AbortSignal | undefined, where: string): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch (error) {
      throw new UserSyncError('SYNC_ABORTED', `${where} was cancelled`, { cause: error });
    }
  }
}

/**
 * The human part of a 4xx body, at most 200 characters: `detail` (Authentik, SCIM), or
 * `error_description` / `error` (Keycloak, OAuth). Servers put no secrets there; we still cut it.
 */
async function errorDetail(response: Response): Promise<string | undefined> {
  let text: string;
  try {
    text = (await response.text()).slice(0, 4096);
  } catch {
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const parts = [record.scimType, record.error, record.error_description, record.detail].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return parts.length ? [...new Set(parts)].join(': ').slice(0, 200) : undefined;
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}
