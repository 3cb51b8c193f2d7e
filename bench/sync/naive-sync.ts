import { AuthIdentityEntity, AuthUserEntity } from '@nestflux/auth';
import type { DataSource } from 'typeorm';

/** What the naive way stores per listed user. */
export interface NaiveUser {
  subject: string;
  username: string;
  displayName: string;
  email: string;
  avatarUrl: string;
  active: boolean;
  roles: string[];
}

/** The fake Authentik listing read page by page with fetch (as any script would), 100 a page. */
export async function* fakeAuthentikUsers(port: number, token: string): AsyncIterable<NaiveUser> {
  for (let page = 1; page > 0;) {
    const res = await fetch(`http://127.0.0.1:${port}/api/v3/core/users/?page=${page}&page_size=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { pagination: { next: number }; results: Array<Record<string, unknown>> };
    for (const u of body.results) {
      const groups = (u.groups_obj as Array<{ name: string }> | null) ?? [];
      yield {
        subject: String(u.uid),
        username: String(u.username),
        displayName: String(u.name),
        email: String(u.email).toLowerCase(),
        avatarUrl: String(u.avatar),
        active: u.is_active !== false,
        roles: groups.map((g) => g.name),
      };
    }
    page = body.pagination.next;
  }
}

/**
 * The naive way the benchmark compares against: per listed user, select the identity, then
 * select the user and save it (or save a new user and identity) through TypeORM repositories.
 */
export async function naiveSync(dataSource: DataSource, users: AsyncIterable<NaiveUser>, issuer: string, limit: number): Promise<number> {
  const identities = dataSource.getRepository(AuthIdentityEntity);
  const repository = dataSource.getRepository(AuthUserEntity);
  let done = 0;
  for await (const listed of users) {
    if (done >= limit) return done;
    const identity = await identities.findOne({ where: { issuer, subject: listed.subject } });
    const user = identity ? await repository.findOneByOrFail({ id: identity.userId }) : repository.create();
    user.email = listed.email;
    user.displayName = listed.displayName;
    user.username = listed.username;
    user.avatarUrl = listed.avatarUrl;
    user.roles = listed.roles;
    user.active = listed.active;
    user.lastSyncedAt = new Date();
    const saved = await repository.save(user);
    if (!identity) await identities.save(identities.create({ userId: saved.id, issuer, subject: listed.subject }));
    done += 1;
  }
  return done;
}
