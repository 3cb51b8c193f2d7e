import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { AuthUserEntity } from './auth-user.entity.js';

/**
 * Links a local user to one account at one provider: (`issuer`, `subject`) is the OIDC
 * `iss` + `sub` pair, unique across all providers, so several providers can share one user table.
 */
@Entity({ name: 'auth_identities' })
@Unique('auth_identities_issuer_subject_key', ['issuer', 'subject'])
export class AuthIdentityEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('auth_identities_user_id_idx')
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => AuthUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: AuthUserEntity;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ type: 'text' })
  subject: string;

  /** Slug of the provider the identity signed in or was linked through (null: before several providers). */
  @Column({ type: 'text', nullable: true })
  provider: string | null;

  /** The identity's email when it was linked or last signed in. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ name: 'linked_at', type: 'timestamptz', default: () => 'now()' })
  linkedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
