/**
 * A three-member cluster written into a real etcd (or the Consul double) through core's Dcs and the etcd
 * adapter, exactly as agents would write it: member keys and the leader key bound to
 * each member's lease, plus initialize, config, status and history.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dcs, KeyLayout, silentLogger, systemClock, type HistoryLine, type MemberData } from '@pgwarden/core';
import { dcsAdapter } from '@pgwarden/dcs-etcd';
import type { EtcdCluster } from '@pgwarden/testkit';

export const MB = 1024 * 1024;
export const SYSID = '7381234567890123456';
/** Long leases: the member keys must outlive a slow test run on a loaded machine. */
const TIMING = { ttl: 3600, loopWait: 10, retryTimeout: 10 };

export interface MemberSpec {
  readonly name: string;
  readonly data: MemberData;
}

export interface WrittenCluster {
  readonly scope: string;
  /** One Dcs per member, holding its lease. */
  readonly handles: ReadonlyMap<string, Dcs>;
  /** A patroni.yml for patronictl / pgwardenctl pointing at this etcd. */
  readonly configFile: string;
  close(): Promise<void>;
}

export async function memberDcs(etcd: EtcdCluster, scope: string, name: string): Promise<Dcs> {
  const adapter = await dcsAdapter.create({
    section: { hosts: [...etcd.hosts], protocol: 'http' },
    layout: new KeyLayout({ scope }),
    name,
    ttlSeconds: TIMING.ttl,
    loopWaitSeconds: TIMING.loopWait,
    retryTimeoutSeconds: TIMING.retryTimeout,
    clock: systemClock,
    logger: silentLogger,
  });
  return new Dcs({ adapter, timing: TIMING });
}

export function member(name: string, port: number, role: 'primary' | 'replica', xlog: number, extra: Partial<MemberData> = {}): MemberSpec {
  return {
    name,
    data: {
      conn_url: `postgres://127.0.0.1:${port}/postgres`,
      api_url: `http://127.0.0.1:${port + 3576}/patroni`,
      state: 'running',
      role,
      version: '4.0.0',
      xlog_location: xlog,
      timeline: 3,
      ...extra,
    },
  };
}

/** node1 leads at 64 MB; node2 lags 16 MB; node3 is caught up. */
export function threeMembers(extra: Partial<Record<string, Partial<MemberData>>> = {}): MemberSpec[] {
  return [
    member('node1', 5432, 'primary', 64 * MB, extra.node1),
    member('node2', 5433, 'replica', 48 * MB, extra.node2),
    member('node3', 5434, 'replica', 64 * MB, extra.node3),
  ];
}

export const HISTORY: HistoryLine[] = [
  [1, 25165984, 'no recovery target specified', '2024-06-17T10:11:12.123456+00:00', 'node2'],
  [2, 33554592, 'no recovery target specified', '2024-06-18T10:11:12.123456+00:00', 'node1'],
];

/** How to reach the DCS: a factory of member Dcs handles and the patroni.yml section naming it. */
export interface DcsTarget {
  memberDcs(scope: string, name: string): Promise<Dcs>;
  readonly yamlSection: string;
}

export function etcdTarget(etcd: EtcdCluster): DcsTarget {
  return { memberDcs: (scope, name) => memberDcs(etcd, scope, name), yamlSection: `etcd3:\n  hosts: ${etcd.hosts[0]}\n` };
}

export async function writeCluster(
  dcsOrEtcd: EtcdCluster | DcsTarget,
  scope: string,
  options: { members?: MemberSpec[]; config?: Record<string, unknown>; leader?: string | null; history?: HistoryLine[] } = {},
): Promise<WrittenCluster> {
  const target = 'memberDcs' in dcsOrEtcd ? dcsOrEtcd : etcdTarget(dcsOrEtcd);
  const members = options.members ?? threeMembers();
  const handles = new Map<string, Dcs>();
  for (const m of members) {
    const dcs = await target.memberDcs(scope, m.name);
    handles.set(m.name, dcs);
    const touched = await dcs.touchMember(m.data);
    if (touched.kind !== 'written') throw new Error(`touchMember ${m.name}: ${touched.kind}`);
  }
  const first = handles.get(members[0]!.name)!;
  const leader = options.leader === undefined ? members[0]!.name : options.leader;
  if (leader) {
    const held = await handles.get(leader)!.acquireLeader();
    if (held.kind !== 'held') throw new Error(`acquireLeader: ${held.kind}`);
  }
  await first.initialize({ createNew: true, sysid: SYSID });
  await first.writeConfig(options.config ?? { ttl: 30, loop_wait: 10, retry_timeout: 10, postgresql: { parameters: { max_connections: 100 }, use_pg_rewind: true } });
  await first.writeStatus({ lastLsn: 64 * MB, slots: null });
  await first.writeHistory(options.history ?? HISTORY);
  const dir = mkdtempSync(join(tmpdir(), 'pgwardenctl-'));
  const configFile = join(dir, 'patroni.yml');
  writeFileSync(configFile, `scope: ${scope}\nnamespace: /service\n${target.yamlSection}`);
  return {
    scope,
    handles,
    configFile,
    async close() {
      await Promise.all([...handles.values()].map((d) => d.close().catch(() => {})));
    },
  };
}
