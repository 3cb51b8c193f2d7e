/**
 * Lua scripts of the Redis session store: each runs atomically on the server, so a session and
 * its index entries never disagree, and a deletion is published in the same step.
 * Keys a script reads from a session hash (`userKey`, `subKey`, `sidKey`) are not declared in
 * KEYS: fine on a single Redis (with replicas or Sentinel), the reason Redis Cluster is not supported.
 */

/**
 * KEYS: session, user index, subject index[, sid index].
 * ARGV: session PEXPIREAT, index TTL (ms), id hash, created-at ms, then field/value pairs.
 */
export const CREATE_SESSION = `
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
for i = 3, #KEYS do redis.call('SADD', KEYS[i], ARGV[3]) end
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
`;

/**
 * Deletes sessions with their index entries and publishes `s:<hash>,<hash>…` on the channel.
 * KEYS: sessions. ARGV: channel, then the id hash of each key.
 * Returns, per session that existed: id hash, user id, sealed ID token ('' if none), last seen, expires at.
 */
export const DELETE_SESSIONS = `
local ended, out = {}, {}
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'userKey', 'subKey', 'sidKey', 'idTokenEnc', 'lastSeenAt', 'expiresAt', 'userId')
  if f[1] then
    local idHash = ARGV[i + 1]
    redis.call('DEL', key)
    redis.call('ZREM', f[1], idHash)
    if f[2] then redis.call('SREM', f[2], idHash) end
    if f[3] and f[3] ~= '' then redis.call('SREM', f[3], idHash) end
    table.insert(ended, idHash)
    table.insert(out, idHash)
    table.insert(out, f[7] or '')
    table.insert(out, f[4] or '')
    table.insert(out, f[5] or '0')
    table.insert(out, f[6] or '0')
  end
end
if #ended > 0 then redis.call('PUBLISH', ARGV[1], 's:' .. table.concat(ended, ',')) end
return out
`;

/**
 * Records activity: moves `lastSeenAt` forward and the key's expiry to min(absolute end, seen + idle).
 * KEYS: sessions. ARGV: idle timeout ms, then the seen-at ms of each key.
 */
export const RECORD_ACTIVITY = `
local idle = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'lastSeenAt', 'expiresAt')
  local seen = tonumber(ARGV[i + 1])
  if f[2] and seen > tonumber(f[1]) then
    redis.call('HSET', key, 'lastSeenAt', ARGV[i + 1])
    redis.call('PEXPIREAT', key, math.min(tonumber(f[2]), seen + idle))
  end
end
return 1
`;

/**
 * Stores refreshed tokens, only while the caller still holds the refresh lock and the session exists.
 * KEYS: lock, session. ARGV: lock token, access token, refresh token ('' keeps), ID token ('' keeps), access-token expiry ('' unknown).
 * Returns 1 stored, 0 session gone, -1 lock lost.
 */
export const SAVE_REFRESHED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'accessTokenEnc', ARGV[2], 'accessTokenExpiresAt', ARGV[5])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'refreshTokenEnc', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 'idTokenEnc', ARGV[4]) end
return 1
`;

/** Releases the refresh lock if the caller still holds it. KEYS: lock. ARGV: lock token. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
