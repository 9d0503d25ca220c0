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
import type { DecodeMemo } from './decode-memo.js';
import { deepFreeze } from './json.js';

export interface DecodedCluster {
  readonly cluster: Cluster;
  /** One line per key that held something unusable, naming the key. */
  readonly warnings: readonly string[];
}

/**
 * Builds the snapshot from the raw keys of one read. Never throws: a key holding
 * garbage gives that key's empty value and one warning. With `memo` (one per reader),
 * keys unchanged since that reader's previous read are not decoded again.
 */
export function decodeCluster(entries: readonly RawEntry[], memo?: DecodeMemo): DecodedCluster {
  const warnings: string[] = [];
  const byKey = new Map<string, RawEntry>();
  const take = <T>(key: string, decoded: Decoded<T>): T => {
    if (decoded.warning) warnings.push(`DCS key '${key}' ${decoded.warning}; using an empty value`);
    return decoded.value;
  };
  const decode = <T>(entry: RawEntry, decoder: (entry: RawEntry) => Decoded<T>): T =>
    take(entry.key, memo ? memo.decode(entry, decoder) : decoder(entry));

  const members: Member[] = [];
  for (const entry of entries) {
    byKey.set(entry.key, entry); // a key listed twice: the last one counts
    if (!entry.key.startsWith(CLUSTER_KEYS.members)) continue;
    const name = entry.key.slice(CLUSTER_KEYS.members.length);
    if (!name || name.includes('/')) continue; // only direct children are members
    members.push(decode(entry, decodeMember));
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
  if (statusEntry) status = decode(statusEntry, decodeStatusEntry);
  else if (legacyEntry) status = decode(legacyEntry, decodeLegacyOptimeEntry);

  const cluster: Cluster = {
    initialize,
    config: configEntry ? decode(configEntry, decodeConfig) : null,
    leader,
    status,
    members,
    failover: failoverEntry ? decode(failoverEntry, decodeFailover) : null,
    sync: syncEntry ? decode(syncEntry, decodeSync) : emptySync(),
    history: historyEntry ? decode(historyEntry, decodeHistory) : null,
    failsafe: failsafeEntry ? decode(failsafeEntry, decodeFailsafeEntry) : null,
  };
  memo?.endRead();
  // Values reused from the memo are frozen already; deepFreeze does not walk into them again.
  return { cluster: deepFreeze(cluster), warnings };
}

/** A direct child of `members/`: its name, tokens and data. */
function decodeMember(entry: RawEntry): Decoded<Member> {
  const name = entry.key.slice(CLUSTER_KEYS.members.length);
  const data = decodeMemberData(entry.value);
  return { value: { name, version: entry.version, session: entry.session, data: data.value }, warning: data.warning };
}

const decodeStatusEntry = (entry: RawEntry): Decoded<ClusterStatus> => decodeStatus(entry.value);
const decodeLegacyOptimeEntry = (entry: RawEntry): Decoded<ClusterStatus> => decodeLegacyOptime(entry.value);
const decodeFailsafeEntry = (entry: RawEntry): Decoded<Readonly<Record<string, string>> | null> => decodeFailsafe(entry.value);
