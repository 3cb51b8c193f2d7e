import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JWK } from 'jose';

/**
 * Distinct, valid access tokens for the "never repeated" rows: the provider's real access token
 * as a template (same header, same claims) with a unique `jti` each, signed with the provider's
 * own RS256 key. Every token has the same length, so they sit back to back in one
 * SharedArrayBuffer that the load worker reads without copying.
 */
export interface TokenPool {
  buffer: SharedArrayBuffer;
  /** Characters per token. */
  length: number;
  count: number;
}

/** What a signing worker needs (see token-signer.worker.ts). */
export interface SignerJob {
  jwk: JWK;
  encodedHeader: string;
  /** The payload JSON with `__JTI__` where each token's id goes. */
  payloadTemplate: string;
  /** The `jti` number of slot 0 in `buffer`. */
  first: number;
  /** Slots [from, to) of `buffer` to fill. */
  from: number;
  to: number;
  buffer: SharedArrayBuffer;
  length: number;
}

const JTI_WIDTH = 12;

/** The `jti` of token `i`: fixed width, so every token has the same length. */
export function jtiFor(i: number): string {
  return `bench-${i.toString(36).padStart(JTI_WIDTH, '0')}`;
}

/**
 * Signs tokens like `template` (a real access token) with `jwk`, on every core, in batches:
 * each batch continues the `jti` sequence, so no two tokens of one minter are alike.
 */
export class TokenMinter {
  private readonly encodedHeader: string;
  private readonly payloadTemplate: string;
  private readonly length: number;
  private minted = 0;

  constructor(
    template: string,
    private readonly jwk: JWK,
  ) {
    const [encodedHeader, encodedPayload, signature] = template.split('.');
    const claims = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    this.encodedHeader = encodedHeader;
    this.payloadTemplate = JSON.stringify({ ...claims, jti: '__JTI__', iat: now, exp: now + 3600 });
    const payloadBytes = Buffer.byteLength(this.payloadTemplate.replace('__JTI__', jtiFor(0)));
    const signatureBytes = Buffer.from(signature, 'base64url').length;
    // Unpadded base64url: ceil(4n / 3) characters for n bytes.
    this.length = encodedHeader.length + 1 + Math.ceil((payloadBytes * 4) / 3) + 1 + Math.ceil((signatureBytes * 4) / 3);
  }

  get count(): number {
    return this.minted;
  }

  async mint(count: number): Promise<TokenPool> {
    const buffer = new SharedArrayBuffer(this.length * count);
    const first = this.minted;
    this.minted += count;
    const threads = Math.max(1, Math.min(availableParallelism(), 4));
    const share = Math.ceil(count / threads);
    await Promise.all(
      Array.from({ length: threads }, (_, t) =>
        runSigner({
          jwk: this.jwk,
          encodedHeader: this.encodedHeader,
          payloadTemplate: this.payloadTemplate,
          buffer,
          length: this.length,
          first,
          from: Math.min(count, t * share),
          to: Math.min(count, (t + 1) * share),
        }),
      ),
    );
    return { buffer, length: this.length, count };
  }
}

/** Token `i` of a pool as a string. */
export function tokenAt(pool: TokenPool, i: number): string {
  return Buffer.from(pool.buffer, i * pool.length, pool.length).toString('latin1');
}

function runSigner(job: SignerJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./token-signer.worker.js', import.meta.url), { workerData: job });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`token signer exited with ${code}`))));
  });
}
