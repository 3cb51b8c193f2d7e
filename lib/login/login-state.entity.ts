import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What a login must remember between the redirect to the provider and the callback: PKCE
 * verifier, nonce, where to return and the hash of the browser binding. Kept server-side so the
 * callback may land on any replica; keyed by the SHA-256 of `state`, single use, 10 minutes.
 */
@Entity({ name: 'auth_login_states' })
export class AuthLoginStateEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'varchar', length: 64 })
  stateHash: string;

  @Column({ name: 'code_verifier', type: 'text' })
  codeVerifier: string;

  @Column({ type: 'text' })
  nonce: string;

  @Column({ name: 'max_age', type: 'integer', nullable: true })
  maxAge: number | null;

  /** The `acr_values` a step-up login sent. */
  @Column({ name: 'acr_values', type: 'text', nullable: true })
  acrValues: string | null;

  /** SHA-256 of the login's browser-binding cookie: the callback must come from that browser. */
  @Column({ name: 'browser_binding_hash', type: 'varchar', length: 64 })
  browserBindingHash: string;

  @Column({ name: 'return_to', type: 'text' })
  returnTo: string;

  /** Slug of the provider the login started at. */
  @Column({ type: 'text', nullable: true })
  provider: string | null;

  /** Account linking: the signed-in user the provider's identity is added to. */
  @Column({ name: 'link_user_id', type: 'uuid', nullable: true })
  linkUserId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Index('auth_login_states_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
