/**
 * Decision tables for replication slots (§3.10): member slots on every node
 * (member_slots_ttl), retain_slots, permanent logical slots copied to replicas and
 * advanced there, hot_standby_feedback, and what the leader publishes in /status.
 */
import { describe, expect, it } from 'vitest';
import type { Action, Cluster, ClusterStatus, HaView } from '../../src/index.js';
import { ledByMe, makeCluster, member, peer, view, type ClusterSpec } from './fixtures.js';
import { run } from './helpers.js';

type SyncSlots = Extract<Action, { type: 'syncSlots' }>;
type WriteStatus = Extract<Action, { type: 'writeStatus' }>;

const CDC = { cdc: { type: 'logical', database: 'app', plugin: 'test_decoding' } };

function withStatus(cluster: Cluster, status: Partial<ClusterStatus>): Cluster {
  return { ...cluster, status: { ...cluster.status, ...status } };
}

/** n1 (us) a replica of leader n2, with n3 beside us. */
function replicaCluster(spec: ClusterSpec = {}, status: Partial<ClusterStatus> = {}): Cluster {
  const members = [member('n1', { xlog_location: 900 }), member('n2', { role: 'primary', xlog_location: 1000 }), member('n3', { xlog_location: 800 })];
  return withStatus(makeCluster({ members, ...spec }), status);
}

function pass(v: HaView, path: string[] = []): SyncSlots {
  const found = run(v, path).actions.find((a): a is SyncSlots => a.type === 'syncSlots');
  if (!found) throw new Error('no slot pass');
  return found;
}

function statusWrite(v: HaView): { write: WriteStatus; remember: Action | undefined } {
  const { actions } = run(v, ['held']);
  const write = actions.find((a): a is WriteStatus => a.type === 'writeStatus');
  if (!write) throw new Error('no /status write');
  return { write, remember: actions.find((a) => a.type === 'remember' && 'retainGoneSince' in a.patch) };
}

describe('member slots with member_slots_ttl (the default 30 min)', () => {
  it('a replica keeps a slot for every other member, the leader included, advanced to the published LSNs', () => {
    const cluster = replicaCluster({ config: {} }, { slots: { n2: 1000, n3: 750 } });
    // Nobody streams through them here: an xmin left on one by a former user gets it re-created.
    expect(pass(view({ cluster })).desired).toEqual([
      { name: 'n2', type: 'physical', advanceTo: 1000, expectActive: false },
      { name: 'n3', type: 'physical', advanceTo: 750, expectActive: false },
    ]);
  });
  it('without a published LSN the member’s own xlog_location is used', () => {
    expect(pass(view({ cluster: replicaCluster() })).desired).toEqual([
      { name: 'n2', type: 'physical', advanceTo: 1000, expectActive: false },
      { name: 'n3', type: 'physical', advanceTo: 800, expectActive: false },
    ]);
  });
  it('the leader does not advance the slots its members stream through', () => {
    const cluster = ledByMe({ members: [member('n1', { role: 'primary' }), member('n2', { xlog_location: 5 }), member('n3', { tags: { replicatefrom: 'n2' }, xlog_location: 7 })] });
    expect(pass(view({ cluster, local: 'primary' }), ['held']).desired).toEqual([
      { name: 'n2', type: 'physical' },
      // n3 streams from n2: its slot here only moves when we move it.
      { name: 'n3', type: 'physical', advanceTo: 7, expectActive: false },
    ]);
  });
  it('idle slots are not cleaned of their xmin without a leader, nor by a lock holder still in recovery', () => {
    const unlocked = makeCluster({ leader: null, members: [member('n1'), member('n2', { xlog_location: 5 })] });
    const race = view({ cluster: unlocked, peers: [peer('n2', { walPosition: 5 })] });
    expect(pass(race, ['lost']).desired).toEqual([{ name: 'n2', type: 'physical', advanceTo: 5 }]);
    const promoting = ledByMe({ members: [member('n1'), member('n2', { tags: { replicatefrom: 'n3' } }), member('n3')] });
    const desired = pass(view({ cluster: promoting, local: 'replica', task: { kind: 'promote', name: 'promote', startedAt: 0 } }), ['held']).desired;
    expect(desired.every((s) => s.type === 'physical' && s.expectActive === undefined)).toBe(true);
  });
  it('nostream members get no slot; a nofailover node keeps only the slots of its cascade', () => {
    const members = [member('n1'), member('n2', { role: 'primary' }), member('n3', { tags: { replicatefrom: 'n1' } }), member('n4', { tags: { nostream: true } })];
    expect(pass(view({ cluster: makeCluster({ members }) })).desired.map((s) => s.name)).toEqual(['n2', 'n3']);
    expect(pass(view({ cluster: makeCluster({ members }), tags: { nofailover: true } })).desired.map((s) => s.name)).toEqual(['n3']);
  });
  it('slots named in retain_slots are kept, except our own, and not on a nofailover node', () => {
    const cluster = replicaCluster({}, { retainSlots: ['gone_member', 'n1', 'n2'] });
    expect(pass(view({ cluster })).desired.map((s) => s.name)).toEqual(['n2', 'n3', 'gone_member']);
    expect(pass(view({ cluster, tags: { nofailover: true } })).desired.map((s) => s.name)).toEqual([]);
  });
  it('member_slots_ttl 0: only the slots a node serves, and retain_slots still honoured', () => {
    const cluster = replicaCluster({ config: { member_slots_ttl: 0 } });
    expect(pass(view({ cluster })).desired).toEqual([]);
    const leader = ledByMe({ config: { member_slots_ttl: 0 }, members: [member('n1', { role: 'primary' }), member('n2'), member('n3', { tags: { replicatefrom: 'n2' } })] });
    expect(pass(view({ cluster: leader, local: 'primary' }), ['held']).desired.map((s) => s.name)).toEqual(['n2']);
  });
});

describe('the leader’s /status: slots and retain_slots', () => {
  const slots = [
    { name: 'n2', type: 'physical' as const, plugin: null, database: null, active: true, restartLsn: 900, confirmedFlushLsn: null },
    { name: 'cdc', type: 'logical' as const, plugin: 'test_decoding', database: 'app', active: false, restartLsn: 800, confirmedFlushLsn: 850 },
    { name: 'manual', type: 'physical' as const, plugin: null, database: null, active: false, restartLsn: 10, confirmedFlushLsn: null },
  ];
  const obs = { inRecovery: false, walReceiver: null, walPosition: 1000, slots };

  it('publishes member slots, our own position and permanent slots; retain_slots lists the current members', () => {
    const { write, remember } = statusWrite(view({ cluster: ledByMe({ config: { slots: CDC } }), local: 'primary', obs }));
    expect(write).toEqual({ type: 'writeStatus', lastLsn: 1000, slots: { n2: 900, cdc: 850, n1: 1000 }, retainSlots: ['n2'] });
    expect(remember).toBeUndefined();
  });
  it('member_slots_ttl 0: only permanent slots, no retain_slots', () => {
    const { write } = statusWrite(view({ cluster: ledByMe({ config: { slots: CDC, member_slots_ttl: 0 } }), local: 'primary', obs }));
    expect(write).toEqual({ type: 'writeStatus', lastLsn: 1000, slots: { cdc: 850 } });
  });
  it('a departed member stays in retain_slots for member_slots_ttl, counted from when this leader saw it gone', () => {
    const cluster = withStatus(ledByMe({ config: { member_slots_ttl: 60 }, members: [member('n1', { role: 'primary' })] }), { retainSlots: ['n2'] });
    const first = statusWrite(view({ cluster, local: 'primary', obs, now: 5_000 }));
    expect(first.write.retainSlots).toEqual(['n2']);
    expect(first.remember).toEqual({ type: 'remember', patch: { retainGoneSince: { n2: 5_000 } } });
    const memory = { retainGoneSince: { n2: 5_000 } };
    const later = statusWrite(view({ cluster, local: 'primary', obs, now: 64_999, memory }));
    expect(later.write.retainSlots).toEqual(['n2']);
    expect(later.remember).toBeUndefined();
    const expired = statusWrite(view({ cluster, local: 'primary', obs, now: 65_000, memory }));
    expect(expired.write.retainSlots).toBeUndefined();
    expect(expired.remember).toEqual({ type: 'remember', patch: { retainGoneSince: {} } });
  });
  it('a member that comes back is current again', () => {
    const cluster = withStatus(ledByMe({ config: { member_slots_ttl: 60 } }), { retainSlots: ['n2'] });
    const r = statusWrite(view({ cluster, local: 'primary', obs, now: 70_000, memory: { retainGoneSince: { n2: 5_000 } } }));
    expect(r.write.retainSlots).toEqual(['n2']);
    expect(r.remember).toEqual({ type: 'remember', patch: { retainGoneSince: {} } });
  });
  it('a replica forgets the clocks of its last stint as leader', () => {
    const r = run(view({ cluster: replicaCluster(), memory: { retainGoneSince: { n3: 1 } } }));
    expect(r.actions).toContainEqual({ type: 'remember', patch: { retainGoneSince: {} } });
  });
});

describe('permanent logical slots on replicas', () => {
  const copyOf = (v: HaView) => run(v).actions.find((a) => a.type === 'copyLogicalSlots');

  it('the primary creates them; a replica advances its copy to the published confirmed_flush, never past its replay', () => {
    const leader = pass(view({ cluster: ledByMe({ config: { slots: CDC } }), local: 'primary' }), ['held']);
    expect(leader.desired).toContainEqual({ name: 'cdc', type: 'logical', database: 'app', plugin: 'test_decoding' });
    const cluster = replicaCluster({ config: { slots: CDC } }, { slots: { cdc: 5000 } });
    const replica = pass(view({ cluster, obs: { replayLsn: 4000 } }));
    expect(replica.desired).toContainEqual({ name: 'cdc', type: 'logical', database: 'app', plugin: 'test_decoding', advanceTo: 4000 });
    expect(replica.hotStandbyFeedback).toBe(true);
    expect(replica.readiness).toEqual({ leader: { name: 'n2', connUrl: 'postgres://n2:5432/postgres' }, slotOnPrimary: 'n1' });
  });
  it('a replica lacking the slot copies it from the primary, and says so', () => {
    const cluster = replicaCluster({ config: { slots: CDC } }, { slots: { cdc: 5000 } });
    const r = run(view({ cluster }));
    expect(r.actions).toContainEqual({ type: 'log', level: 'info', message: "Copying logical slots ['cdc'] from the primary" });
    expect(copyOf(view({ cluster }))).toEqual({
      type: 'copyLogicalSlots',
      leader: { name: 'n2', connUrl: 'postgres://n2:5432/postgres' },
      slots: [{ name: 'cdc', database: 'app', plugin: 'test_decoding' }],
      task: 'copy_logical_slots',
    });
  });
  it('no copy before the primary publishes the slot, while a task runs, or when the copy is there and healthy', () => {
    expect(copyOf(view({ cluster: replicaCluster({ config: { slots: CDC } }) }))).toBeUndefined();
    const cluster = replicaCluster({ config: { slots: CDC } }, { slots: { cdc: 5000 } });
    expect(copyOf(view({ cluster, task: { kind: 'promote', name: 'promote', startedAt: 0 } }))).toBeUndefined();
    const have = { name: 'cdc', type: 'logical' as const, plugin: 'test_decoding', database: 'app', active: false, restartLsn: 1, confirmedFlushLsn: 1, walStatus: 'reserved' };
    expect(copyOf(view({ cluster, obs: { slots: [have] } }))).toBeUndefined();
  });
  it('a copy whose WAL is lost, or defined differently, is copied again', () => {
    const cluster = replicaCluster({ config: { slots: CDC } }, { slots: { cdc: 5000 } });
    const have = { name: 'cdc', type: 'logical' as const, plugin: 'test_decoding', database: 'app', active: false, restartLsn: 1, confirmedFlushLsn: 1 };
    expect(copyOf(view({ cluster, obs: { slots: [{ ...have, walStatus: 'lost' }] } }))).toBeDefined();
    expect(copyOf(view({ cluster, obs: { slots: [{ ...have, plugin: 'pgoutput' }] } }))).toBeDefined();
  });
  it('nostream and nofailover replicas keep no logical slot, and need no feedback', () => {
    const cluster = replicaCluster({ config: { slots: CDC } }, { slots: { cdc: 5000 } });
    for (const tags of [{ nostream: true }, { nofailover: true }]) {
      const p = pass(view({ cluster, tags }));
      expect(p.desired.some((s) => s.type === 'logical')).toBe(false);
      expect(p.hotStandbyFeedback).toBe(false);
      expect(copyOf(view({ cluster, tags }))).toBeUndefined();
    }
  });
  it('a replica whose cascade holds logical slots sends feedback too', () => {
    const members = [member('n1'), member('n2', { role: 'primary' }), member('n3', { tags: { replicatefrom: 'n1' } })];
    const cluster = makeCluster({ members, config: { slots: CDC } });
    expect(pass(view({ cluster, tags: { nofailover: true } })).hotStandbyFeedback).toBe(true);
    expect(pass(view({ cluster: makeCluster({ members }) })).hotStandbyFeedback).toBe(false);
  });
  it('ignore_slots reaches the controller', () => {
    const ignore = [{ name: 'keep_me' }, { type: 'logical', plugin: 'wal2json' }];
    expect(pass(view({ cluster: replicaCluster({ config: { ignore_slots: ignore } }) })).ignore).toEqual(ignore);
  });
});
