import type { DataSource } from 'typeorm';
import type { DirectorySource } from '../../lib/sync/directory-source.interface.js';
import { AuthIdentityEntity } from '../../lib/users/auth-identity.entity.js';
import { AuthUserEntity } from '../../lib/users/auth-user.entity.js';

/**
 * The naive way the benchmark compares against: per listed user, select the identity, then
 * select the user and save it (or save a new user and identity) through TypeORM repositories.
 */
export async function naiveSync(dataSource: DataSource, source: DirectorySource, issuer: string, limit: number): Promise<number> {
  const identities = dataSource.getRepository(AuthIdentityEntity);
  const users = dataSource.getRepository(AuthUserEntity);
  let done = 0;
  for await (const page of source.listUsers()) {
    for (const listed of page.users) {
      if (done >= limit) return done;
      const identity = await identities.findOne({ where: { issuer, subject: listed.subject } });
      const user = identity ? await users.findOneByOrFail({ id: identity.userId }) : users.create();
      user.email = listed.email;
      user.displayName = listed.displayName;
      user.username = listed.username;
      user.avatarUrl = listed.avatarUrl;
      user.roles = listed.roles ?? user.roles ?? [];
      user.active = listed.active;
      user.lastSyncedAt = new Date();
      const saved = await users.save(user);
      if (!identity) await identities.save(identities.create({ userId: saved.id, issuer, subject: listed.subject }));
      done += 1;
    }
  }
  return done;
}
