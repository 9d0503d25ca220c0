/**
 * The Lua scripts behind every write. Redis runs a script as one step, so each check
 * and the write it guards (create-if-absent, compare-and-set on a version, "delete only
 * if it names us") cannot interleave with another client's.
 *
 * Storage, per cluster with base `/<namespace>/<scope>`:
 * - every Patroni key is a hash at its own path (`/service/batman/leader`) with fields
 *   `value` (the bytes other adapters store), `version` and `session` ('' for persistent
 *   keys); the leader and member keys carry a PEXPIRE of the ttl;
 * - `<base>:revision`, a counter every write increments; a key's `version` is the counter
 *   at its last write. It survives deleteCluster, so a version is never handed out twice
 *   and a stale compare-and-set cannot match a re-created key;
 * - `<base>:keys`, the set of paths written, so a read needs no SCAN of the keyspace;
 *   paths whose hash expired are pruned on the next read;
 * - `<base>:events`, the pub/sub channel each script publishes `put <key>` or
 *   `delete <key>` to (key relative to the cluster).
 *
 * Scripts touch keys they learn from the index set, which Redis Cluster forbids: the
 * adapter supports a single server or Sentinel, not Cluster.
 */

/** KEYS: path, keys set, revision. ARGV: value, condition (any|absent|version), version, channel, relative key. */
const WRITE = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[2] == 'absent' and current then return false end
if ARGV[2] == 'version' and current ~= ARGV[3] then return false end
local version = redis.call('INCR', KEYS[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', version, 'session', '')
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('PUBLISH', ARGV[4], 'put ' .. ARGV[5])
return tostring(version)
`;

/** KEYS: path, keys set. ARGV: condition (any|version), version, channel, relative key. Returns 1, or nil on conflict. */
const REMOVE = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] == 'version' and current ~= ARGV[2] then return false end
if current then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[3], 'delete ' .. ARGV[4])
end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
`;

/** KEYS: leader path, keys set, revision. ARGV: name, session, ttl ms, channel. Returns {1, version} or {0, holder}. */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('HGET', KEYS[1], 'value') or ''}
end
local version = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', version, 'session', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('PUBLISH', ARGV[4], 'put leader')
return {1, tostring(version)}
`;

/** KEYS: leader path, keys set, revision. ARGV: name, session, ttl ms, channel. Unconditional. */
const TAKE = `
local version = redis.call('INCR', KEYS[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', version, 'session', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('PUBLISH', ARGV[4], 'put leader')
return tostring(version)
`;

/**
 * KEYS: leader path, our member path. ARGV: name, session, ttl ms.
 * Returns {1} held, {0} absent, {2, holder} another member's.
 * Renews our member key too: leader and member share one session, as with an etcd lease.
 * A key under our name but another session is a previous process of this member (an
 * agent restarted beside its running Postgres): taken back by name, as Patroni does.
 */
const REFRESH = `
local leader = redis.call('HMGET', KEYS[1], 'value', 'session')
if not leader[1] then return {0} end
if leader[1] ~= ARGV[1] then return {2, leader[1]} end
if leader[2] ~= ARGV[2] then redis.call('HSET', KEYS[1], 'session', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('HGET', KEYS[2], 'session') == ARGV[2] then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return {1}
`;

/** KEYS: leader path, keys set. ARGV: name, channel. Returns 1 released, 0 not ours. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'value') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], KEYS[1])
redis.call('PUBLISH', ARGV[2], 'delete leader')
return 1
`;

/**
 * KEYS: member path, keys set, revision. ARGV: value, session, ttl ms, channel, relative key.
 * An identical value in our session is only renewed (no new version, no event).
 */
const TOUCH = `
local current = redis.call('HMGET', KEYS[1], 'value', 'session', 'version')
if current[1] == ARGV[1] and current[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return current[3]
end
local version = redis.call('INCR', KEYS[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', version, 'session', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('PUBLISH', ARGV[4], 'put ' .. ARGV[5])
return tostring(version)
`;

/**
 * KEYS: keys set. ARGV: channel, cluster prefix. Returns a flat list path, value,
 * version, session for every live key; drops paths that expired from the set and
 * announces them as deletes (so a reader sees expiries even without keyspace events).
 */
const READ = `
local out = {}
local prefixLength = string.len(ARGV[2])
for _, path in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local entry = redis.call('HMGET', path, 'value', 'version', 'session')
  if entry[1] then
    table.insert(out, path)
    table.insert(out, entry[1])
    table.insert(out, entry[2] or '0')
    table.insert(out, entry[3] or '')
  else
    redis.call('SREM', KEYS[1], path)
    redis.call('PUBLISH', ARGV[1], 'delete ' .. string.sub(path, prefixLength + 1))
  end
end
return out
`;

/** KEYS: keys set. ARGV: channel, cluster prefix. Deletes every key of the cluster. */
const REMOVE_CLUSTER = `
local prefixLength = string.len(ARGV[2])
for _, path in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('DEL', path) == 1 then
    redis.call('PUBLISH', ARGV[1], 'delete ' .. string.sub(path, prefixLength + 1))
  end
end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: leader path, member path, keys set. ARGV: session, channel, member relative key.
 * Ends our session: deletes whichever of the two keys is still bound to it.
 */
const END_SESSION = `
local relative = {'leader', ARGV[3]}
for i = 1, 2 do
  if redis.call('HGET', KEYS[i], 'session') == ARGV[1] then
    redis.call('DEL', KEYS[i])
    redis.call('SREM', KEYS[3], KEYS[i])
    redis.call('PUBLISH', ARGV[2], 'delete ' .. relative[i])
  end
end
return 1
`;

export const SCRIPTS = {
  pgwWrite: { numberOfKeys: 3, lua: WRITE },
  pgwRemove: { numberOfKeys: 2, lua: REMOVE },
  pgwAcquire: { numberOfKeys: 3, lua: ACQUIRE },
  pgwTake: { numberOfKeys: 3, lua: TAKE },
  pgwRefresh: { numberOfKeys: 2, lua: REFRESH },
  pgwRelease: { numberOfKeys: 2, lua: RELEASE },
  pgwTouch: { numberOfKeys: 3, lua: TOUCH },
  pgwRead: { numberOfKeys: 1, lua: READ },
  pgwRemoveCluster: { numberOfKeys: 1, lua: REMOVE_CLUSTER },
  pgwEndSession: { numberOfKeys: 3, lua: END_SESSION },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** The Redis keys a cluster's data lives under besides its Patroni keys. */
export interface ClusterKeys {
  /** Set of every written path. */
  readonly index: string;
  /** Version counter. */
  readonly revision: string;
  /** Pub/sub channel for changes. */
  readonly channel: string;
}

export function clusterKeys(base: string): ClusterKeys {
  return { index: `${base}:keys`, revision: `${base}:revision`, channel: `${base}:events` };
}
