import type { Cluster, ClusterStatus, Leader, Member, RawEntry } from '../cluster.js';
import { EMPTY_STATUS, emptySync } from '../cluster.js';
import { CLUSTER_KEYS } from '../keys.js';
import {
  decodeConfig,
  decodeFailover,
  decodeFailsafe,
  decodeHistory,
  decodeLegacyOptime,
  decodeMemberData,
  decodeStatus,
  decodeSync,
  type Decoded,
} from './decode.js';
import { deepFreeze } from './json.js';

export interface DecodedCluster {
  readonly cluster: Cluster;
  /** One line per key that held something unusable, naming the key. */
  readonly warnings: readonly string[];
}

/**
 * Builds the snapshot from the raw keys of one read. Never throws: a key holding
 * garbage gives that key's empty value and one warning.
 */
export function decodeCluster(entries: readonly RawEntry[]): DecodedCluster {
  const warnings: string[] = [];
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const take = <T>(key: string, decoded: Decoded<T>): T => {
    if (decoded.warning) warnings.push(`DCS key '${key}' ${decoded.warning}; using an empty value`);
    return decoded.value;
  };

  const members: Member[] = [];
  for (const entry of entries) {
    if (!entry.key.startsWith(CLUSTER_KEYS.members)) continue;
    const name = entry.key.slice(CLUSTER_KEYS.members.length);
    if (!name || name.includes('/')) continue; // only direct children are members
    const data = take(entry.key, decodeMemberData(entry.value));
    members.push({ name, version: entry.version, session: entry.session, data });
  }
  members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let leader: Leader | null = null;
  const leaderEntry = byKey.get(CLUSTER_KEYS.leader);
  if (leaderEntry) {
    const name = leaderEntry.value.trim();
    if (name) {
      const member = members.find((m) => m.name === name) ?? { name, version: '', session: null, data: {} };
      leader = { name, version: leaderEntry.version, session: leaderEntry.session, member };
    } else {
      warnings.push(`DCS key 'leader' is empty; treating the cluster as having no leader`);
    }
  }

  const initialize = byKey.get(CLUSTER_KEYS.initialize)?.value ?? null;
  const configEntry = byKey.get(CLUSTER_KEYS.config);
  const failoverEntry = byKey.get(CLUSTER_KEYS.failover);
  const syncEntry = byKey.get(CLUSTER_KEYS.sync);
  const historyEntry = byKey.get(CLUSTER_KEYS.history);
  const failsafeEntry = byKey.get(CLUSTER_KEYS.failsafe);

  let status: ClusterStatus = EMPTY_STATUS;
  const statusEntry = byKey.get(CLUSTER_KEYS.status);
  const legacyEntry = byKey.get(CLUSTER_KEYS.legacyOptime);
  if (statusEntry) status = take(CLUSTER_KEYS.status, decodeStatus(statusEntry.value));
  else if (legacyEntry) status = take(CLUSTER_KEYS.legacyOptime, decodeLegacyOptime(legacyEntry.value));

  const cluster: Cluster = {
    initialize,
    config: configEntry ? take(CLUSTER_KEYS.config, decodeConfig(configEntry)) : null,
    leader,
    status,
    members,
    failover: failoverEntry ? take(CLUSTER_KEYS.failover, decodeFailover(failoverEntry)) : null,
    sync: syncEntry ? take(CLUSTER_KEYS.sync, decodeSync(syncEntry)) : emptySync(),
    history: historyEntry ? take(CLUSTER_KEYS.history, decodeHistory(historyEntry)) : null,
    failsafe: failsafeEntry ? take(CLUSTER_KEYS.failsafe, decodeFailsafe(failsafeEntry.value)) : null,
  };
  return { cluster: deepFreeze(cluster), warnings };
}
