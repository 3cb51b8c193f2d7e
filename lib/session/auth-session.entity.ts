import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A browser session. The cookie carries a random id; only its SHA-256 is stored here, so a
 * copy of this table cannot be replayed as cookies. Provider tokens are kept encrypted.
 */
@Entity({ name: 'auth_sessions' })
@Index('auth_sessions_identity_idx', ['issuer', 'subject'])
@Index('auth_sessions_provider_sid_idx', ['issuer', 'providerSid'])
export class AuthSessionEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash: string;

  @Index('auth_sessions_user_id_idx')
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ type: 'text' })
  subject: string;

  /** The login's `acr`, `amr`, `auth_time` and requested `acr_values` (browser step-up). */
  @Column({ name: 'authentication', type: 'jsonb', nullable: true })
  authentication: Record<string, unknown> | null;

  /** The provider's `sid` claim, for back-channel logout. */
  @Column({ name: 'provider_sid', type: 'text', nullable: true })
  providerSid: string | null;

  /** Roles at login, kept for audit only: requests authorise with `auth_users.roles`. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  roles: string[];

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  scopes: string[];

  @Column({ name: 'id_token_enc', type: 'text', nullable: true })
  idTokenEnc: string | null;

  @Column({ name: 'access_token_enc', type: 'text', nullable: true })
  accessTokenEnc: string | null;

  @Column({ name: 'refresh_token_enc', type: 'text', nullable: true })
  refreshTokenEnc: string | null;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt: Date | null;

  /** Opaque id shown to the user (`GET /auth/sessions`); never the cookie value or its hash. */
  @Column({ name: 'public_id', type: 'uuid', unique: true, default: () => 'gen_random_uuid()' })
  publicId: string;

  /** Client address and user agent at login, for the user's session list. */
  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  /** Absolute expiry: the session ends then whatever its activity. */
  @Index('auth_sessions_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
