import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A person known to the app. Part of the public surface: host apps join on `auth_users.id`.
 * The identity provider stays the source of truth; these columns are a copy refreshed at
 * every login and by the metadata sync.
 */
@Entity({ name: 'auth_users' })
export class AuthUserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true })
  displayName: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  username: string | null;

  @Column({ name: 'avatar_url', type: 'text', nullable: true })
  avatarUrl: string | null;

  /** Roles (or groups) as the provider last reported them. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  roles: string[];

  /** False when the provider disabled or removed the user; inactive users cannot sign in. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt: Date | null;

  /** Set by `UserAccountsService.invite`: waits for its first login (matched by verified email). */
  @Column({ name: 'invited_at', type: 'timestamptz', nullable: true })
  invitedAt: Date | null;

  /** Roles the app granted (admin email domain, invite); kept whatever the provider reports. */
  @Column({ name: 'granted_roles', type: 'jsonb', default: () => "'[]'::jsonb" })
  grantedRoles: string[];
}
