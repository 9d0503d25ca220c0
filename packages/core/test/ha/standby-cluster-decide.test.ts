/**
 * Decision tables for standby clusters (spec/ha.md §1.16): the lock holder is a standby
 * leader that follows the remote and is never promoted; adding the section demotes a
 * primary in place (demote-cluster); removing it promotes the standby leader.
 */
import { describe, expect, it } from 'vitest';
import type { Action, UpstreamNode } from '../../src/index.js';
import { ledByMe, makeCluster, member, view } from './fixtures.js';
import { run } from './helpers.js';

const STANDBY = { host: '10.0.0.9', port: 5433, primary_slot_name: 'dr_slot', restore_command: 'cp /arch/%f %p', archive_cleanup_command: 'cleanup %r', recovery_min_apply_delay: '5min' };
const config = (standby: object | null = STANDBY, extra: object = {}) => ({ ttl: 30, loop_wait: 10, ...(standby ? { standby_cluster: standby } : {}), ...extra });

function upstreamOf(actions: readonly Action[], type: 'follow' | 'startPostgres' | 'demote' | 'bootstrap'): UpstreamNode | null | undefined {
  const a = actions.find((x) => x.type === type);
  if (!a) return undefined;
  if (a.type === 'bootstrap') return a.standbyLeader;
  if (a.type === 'follow' || a.type === 'startPostgres') return a.upstream;
  return a.type === 'demote' && a.mode === 'demote-cluster' ? a.upstream : undefined;
}

function roleOf(actions: readonly Action[]): string | undefined {
  for (const a of actions) {
    if (a.type === 'follow') return a.role;
    if (a.type === 'demote' && a.mode === 'demote-cluster') return a.role;
    if (a.type === 'startPostgres') return a.role;
  }
  return undefined;
}

describe('standby cluster: the lock holder is a standby leader', () => {
  it('a replica holding the lock follows the remote as standby leader, never promotes', () => {
    const cluster = ledByMe({ config: config(), members: [member('n1', { role: 'replica' }), member('n2')] });
    const r = run(view({ cluster, local: 'replica' }), ['held']);
    expect(r.leaf.message).toBe('promoted self to a standby leader because i had the session lock');
    expect(r.actions.some((a) => a.type === 'promote')).toBe(false);
    expect(r.steps).toContain('follow:remote_member');
    expect(roleOf(r.actions)).toBe('standby_leader');
    const remote = upstreamOf(r.actions, 'follow')!;
    expect(remote.connUrl).toBe('postgres://10.0.0.9:5433/postgres');
    expect(remote.standby).toEqual({
      remote: true,
      primarySlotName: 'dr_slot',
      restoreCommand: 'cp /arch/%f %p',
      archiveCleanupCommand: 'cleanup %r',
      recoveryMinApplyDelay: '5min',
      createReplicaMethods: null,
    });
  });

  it('once it runs as standby leader: no action', () => {
    const cluster = ledByMe({ config: config(), members: [member('n1', { role: 'standby_leader' }), member('n2')] });
    const r = run(view({ cluster, local: 'replica', status: { role: 'standby_leader' } }), ['held']);
    expect(r.leaf.message).toBe('no action. I am (n1), the standby leader with the lock');
    expect(r.actions.some((a) => a.type === 'promote')).toBe(false);
  });

  it('does not arm the write fence: a standby leader never writes', () => {
    const cluster = ledByMe({ config: config(), members: [member('n1', { role: 'standby_leader' })] });
    const r = run(view({ cluster, local: 'replica', status: { role: 'standby_leader' } }), ['held']);
    expect(r.all).not.toContain('armLeaseGuard');
  });

  it('ignores synchronous mode: no /sync write and no synchronous_standby_names', () => {
    const cluster = ledByMe({ config: config(STANDBY, { synchronous_mode: true, synchronous_mode_strict: true }), members: [member('n1'), member('n2')] });
    const r = run(view({ cluster, local: 'replica', status: { role: 'standby_leader' } }), ['held']);
    expect(r.steps.filter((s) => s.startsWith('writeSync') || s.startsWith('ssn'))).toEqual([]);
  });

  it('restore_command alone (no host/port) still makes a standby leader, restoring from the archive', () => {
    const cluster = ledByMe({ config: config({ restore_command: 'cp /arch/%f %p' }), members: [member('n1')] });
    const r = run(view({ cluster, local: 'replica' }), ['held']);
    const remote = upstreamOf(r.actions, 'follow')!;
    expect(remote.connUrl).toBeNull();
    expect(remote.standby?.restoreCommand).toBe('cp /arch/%f %p');
    expect(roleOf(r.actions)).toBe('standby_leader');
  });

  it('wins the race in an unlocked standby cluster: standby leader by acquiring the lock', () => {
    const cluster = makeCluster({ leader: null, config: config(), members: [member('n1'), member('n2')] });
    const r = run(view({ cluster, local: 'replica', peers: [] }), ['held']);
    expect(r.leaf.message).toBe('promoted self to a standby leader by acquiring session lock');
    expect(r.actions.some((a) => a.type === 'promote')).toBe(false);
    expect(roleOf(r.actions)).toBe('standby_leader');
  });

  it('restarts a crashed standby leader following the remote', () => {
    const cluster = ledByMe({ config: config(), members: [member('n1', { role: 'standby_leader' })] });
    const r = run(view({ cluster, local: 'stopped', status: { role: 'standby_leader' }, memory: { crashRecoveryStartedAt: 1 } }), ['held']);
    expect(r.leaf.message).toBe('starting as a standby leader because i had the session lock');
    expect(r.steps).toContain('start:standby_leader:remote_member');
  });
});

describe('standby cluster: the other members cascade from the standby leader', () => {
  const cluster = makeCluster({
    leader: 'n2',
    config: config(),
    members: [member('n1'), member('n2', { role: 'standby_leader', conn_url: 'postgres://n2:5432/postgres' })],
  });

  it('follows the standby leader with the section restore and cleanup commands only', () => {
    const r = run(view({ cluster, local: 'replica' }));
    expect(r.leaf.message).toBe('no action. I am (n1), a secondary, and following a standby leader (n2)');
    const up = upstreamOf(r.actions, 'follow')!;
    expect(up.name).toBe('n2');
    expect(up.standby).toMatchObject({ remote: false, primarySlotName: null, restoreCommand: 'cp /arch/%f %p', archiveCleanupCommand: 'cleanup %r', recoveryMinApplyDelay: null });
    expect(roleOf(r.actions)).toBe('replica');
  });

  it('a standby leader whose member key has no conn_url: keep following the old one', () => {
    const lost = makeCluster({ leader: 'n9', config: config(), members: [member('n1')] });
    const r = run(view({ cluster: lost, local: 'replica' }));
    expect(r.leaf.message).toBe('continue following the old known standby leader');
    expect(r.steps.filter((s) => s.startsWith('follow'))).toEqual([]);
  });

  it('a writable member without the lock is demoted as demote-cluster, following the standby leader', () => {
    const r = run(view({ cluster, local: 'primary' }));
    expect(r.leaf.message).toBe('cannot be a real primary in a standby cluster');
    expect(r.steps).toContain('demote:demote-cluster');
    expect(upstreamOf(r.actions, 'demote')?.name).toBe('n2');
    expect(roleOf(r.actions)).toBe('replica');
  });

  it('an unlocked standby cluster that is down: follow the remote', () => {
    const unlocked = makeCluster({ leader: null, config: config(), members: [member('n1'), member('n2')] });
    const r = run(view({ cluster: unlocked, local: 'stopped' }));
    expect(r.leaf.message).toBe('trying to follow a remote member because standby cluster is unhealthy');
    expect(r.steps).toContain('start:replica:remote_member');
  });
});

describe('standby cluster: adding and removing the section', () => {
  it('adding it to a running primary: demote-cluster keeps the lock and follows the remote as standby leader', () => {
    const cluster = ledByMe({ config: config() });
    const r = run(view({ cluster, local: 'primary', status: { role: 'primary' } }), ['held']);
    expect(r.leaf.message).toBe('cannot be a real primary in a standby cluster');
    expect(r.steps[0]).toBe('refreshLeader');
    expect(r.steps.slice(-2)).toEqual(['remember:rewind', 'demote:demote-cluster']);
    expect(r.actions.some((a) => a.type === 'releaseLeader')).toBe(false);
    expect(upstreamOf(r.actions, 'demote')?.name).toBe('remote_member');
    expect(roleOf(r.actions)).toBe('standby_leader');
  });

  it('removing it: the standby leader promotes as any leader does', () => {
    const cluster = ledByMe({ config: config(null), members: [member('n1', { role: 'standby_leader' }), member('n2')] });
    const r = run(view({ cluster, local: 'replica', status: { role: 'standby_leader' } }), ['held']);
    expect(r.leaf.message).toBe('promoted self to leader because I had the session lock');
    expect(r.steps).toContain('promote');
  });

  it('in pause the standby leader keeps its lock', () => {
    const cluster = ledByMe({ config: config(STANDBY, { pause: true }), members: [member('n1', { role: 'standby_leader' })] });
    const r = run(view({ cluster, local: 'replica', status: { role: 'standby_leader' } }), ['held']);
    expect(r.steps).not.toContain('releaseLeader');
    expect(r.steps).toContain('refreshLeader');
    expect(r.leaf.message).toBe('PAUSE: no action. I am (n1), the standby leader with the lock');
  });

  it('in pause nothing is demoted or promoted', () => {
    const cluster = ledByMe({ config: config(STANDBY, { pause: true }) });
    const r = run(view({ cluster, local: 'primary', status: { role: 'primary' } }), ['held']);
    expect(r.actions.some((a) => a.type === 'demote' || a.type === 'promote')).toBe(false);
  });
});

describe('standby cluster: bootstrap of a new standby leader', () => {
  it('the node that wins initialize clones from the remote instead of running initdb', () => {
    const cluster = makeCluster({ leader: null, initialize: null, config: null, members: [] });
    const r = run(view({ cluster, local: 'empty', config: config({ ...STANDBY, create_replica_methods: ['wal_e', 'basebackup'] }) }), ['won']);
    expect(r.leaf.message).toBe('trying to bootstrap a new standby leader');
    const remote = upstreamOf(r.actions, 'bootstrap')!;
    expect(remote.connUrl).toBe('postgres://10.0.0.9:5433/postgres');
    expect(remote.standby?.createReplicaMethods).toEqual(['wal_e', 'basebackup']);
  });

  it('the others wait for the standby leader', () => {
    const cluster = makeCluster({ leader: null, initialize: '', config: null, members: [] });
    const r = run(view({ cluster, local: 'empty', config: config() }));
    expect(r.leaf.message).toBe('waiting for standby_leader to bootstrap');
  });

  it('after the clone: no post_bootstrap; initialize, /config and the lock', () => {
    const cluster = makeCluster({ leader: null, initialize: '', config: null, members: [] });
    const r = run(view({ cluster, local: 'replica', config: config(), memory: { bootstrap: 'done' } }));
    expect(r.leaf.message).toBe('initialized a new cluster');
    expect(r.steps).toEqual(expect.arrayContaining(['initialize', 'writeConfig', 'takeLeader']));
    expect(r.steps).not.toContain('postBootstrap');
  });
});
