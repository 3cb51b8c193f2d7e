import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One audit entry (`auth_audit_log`). Part of the public surface: a host may join on `user_id`
 * (no foreign key: entries outlive their user). Rows are written by `AuditLogService`, in batches.
 */
@Entity({ name: 'auth_audit_log' })
export class AuthAuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** When the event happened (not when the batch was written). */
  @Column({ type: 'timestamptz' })
  at: Date;

  /** `login`, `logout`, `backchannel_logout`, … (see `AuditEventName`). */
  @Column({ type: 'text' })
  event: string;

  /** `success` or `failure`. */
  @Column({ type: 'text' })
  outcome: string;

  /** The error code of a failure (`AUTH_LOGIN_STATE_INVALID`, …); null on success. */
  @Column({ type: 'text', nullable: true })
  code: string | null;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** The identity provider's slug, when the event concerns one. */
  @Column({ type: 'text', nullable: true })
  provider: string | null;

  /** The client address (through trusted proxies only, as the rate limit sees it). */
  @Column({ type: 'text', nullable: true })
  ip: string | null;

  /** The `User-Agent` header, cut to 512 characters. */
  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  /** Event-specific facts (counts, the session handle, …); never tokens. */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}
