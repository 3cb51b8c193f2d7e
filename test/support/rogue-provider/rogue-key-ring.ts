import { randomUUID, type webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface RogueKey {
  kid: string;
  privateKey: webcrypto.CryptoKey;
  publicJwk: JWK;
}

/** A fresh RS256 key pair with a random `kid`; the public JWK is ready for a JWKS. */
export async function createRogueKey(): Promise<RogueKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/**
 * The rogue provider's keys: the published set (its JWKS), the key that signs good tokens, and an
 * optional pending key that signs before it is published (a provider that rotates too early).
 */
export class RogueKeyRing {
  private published: RogueKey[];
  private pending?: RogueKey;

  private constructor(private current: RogueKey) {
    this.published = [current];
  }

  static async create(): Promise<RogueKeyRing> {
    return new RogueKeyRing(await createRogueKey());
  }

  /** The key for `good` signatures. */
  get signingKey(): RogueKey {
    return this.pending ?? this.current;
  }

  get jwks(): { keys: JWK[] } {
    return { keys: this.published.map((key) => ({ ...key.publicJwk })) };
  }

  /** A new current key; the old one disappears from the JWKS at once. */
  async rotate(): Promise<void> {
    this.current = await createRogueKey();
    this.pending = undefined;
    this.published = [this.current];
  }

  async addUnpublished(): Promise<void> {
    this.pending = await createRogueKey();
  }

  /** The pending key joins the JWKS (next to the old one) and becomes current. */
  publishPending(): void {
    if (!this.pending) throw new Error('rogue provider: no pending key to publish');
    this.current = this.pending;
    this.pending = undefined;
    this.published = [...this.published, this.current];
  }
}
