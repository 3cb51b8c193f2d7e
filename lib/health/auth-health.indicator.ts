import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthError } from '../errors/auth-error.js';
import { OidcProviderClient } from '../provider/oidc-provider-client.service.js';

/**
 * One entry of a health result, in `@nestjs/terminus`'s shape (`{ [key]: { status, ...data } }`):
 * terminus 11+ takes a plain result from an indicator function, so this library needs no terminus.
 */
export type AuthHealthResult<Key extends string = string> = Record<Key, { status: 'up' | 'down'; [detail: string]: unknown }>;

const DEFAULT_TIMEOUT_MS = 3_000;

/**
 * Health indicators for `@nestjs/terminus` (or any health endpoint):
 * `health.check([() => auth.checkProvider(), () => auth.checkDatabase()])`. A down dependency is
 * reported as `down` with a short reason code, never a host name, URL or secret.
 */
@Injectable()
export class AuthHealthIndicator {
  constructor(
    private readonly provider: OidcProviderClient,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * The identity provider: discovery answers (probed at most every few seconds, with back-off while
   * down) and its signing keys (JWKS) can verify tokens. Keys still inside the stale-if-error window
   * while the provider is down keep `jwks` up, marked `jwksStale`.
   */
  async checkProvider<Key extends string = 'identityProvider'>(key: Key = 'identityProvider' as Key): Promise<AuthHealthResult<Key>> {
    let discovery: 'up' | 'down' = 'up';
    let reason: string | undefined;
    let handle: Awaited<ReturnType<OidcProviderClient['get']>> | undefined;
    try {
      handle = await this.provider.getReachable();
    } catch (error) {
      discovery = 'down';
      reason = reasonOf(error);
    }
    // Discovery may have succeeded earlier: the cached keys still say whether tokens verify.
    handle ??= await this.provider.get().catch(() => undefined);
    const keys = handle ? await handle.keys.usable() : { usable: false, stale: true, ageSeconds: null };
    return resultOf(key, {
      status: discovery === 'up' && keys.usable ? 'up' : 'down',
      discovery,
      jwks: keys.usable ? 'up' : 'down',
      ...(keys.usable && keys.stale ? { jwksStale: true } : {}),
      ...(reason ? { reason } : {}),
    });
  }

  /** The database the module's tables live in: `SELECT 1` within `timeoutMs` (default 3000). */
  async checkDatabase<Key extends string = 'authDatabase'>(
    key: Key = 'authDatabase' as Key,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<AuthHealthResult<Key>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      return resultOf(key, { status: 'up' });
    } catch (error) {
      return resultOf(key, { status: 'down', reason: error instanceof Error && error.message === 'timeout' ? 'timeout' : 'unreachable' });
    } finally {
      clearTimeout(timer);
    }
  }
}

function resultOf<Key extends string>(key: Key, entry: AuthHealthResult[string]): AuthHealthResult<Key> {
  return { [key]: entry } as AuthHealthResult<Key>;
}

function reasonOf(error: unknown): string {
  return error instanceof AuthError ? error.code : 'unreachable';
}
