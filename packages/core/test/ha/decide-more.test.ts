/**
 * Decision tables for tasks, recovery, manual failover at the leader, sync replication,
 * slots and pause.
 */
import { describe, expect, it } from 'vitest';
import { decide, walk, type SyncSlotsAction } from './slots-type.js';
import { ledByMe, makeCluster, member, observation, peer, view } from './fixtures.js';
import { run } from './helpers.js';

describe('decide: a task is running (§1.2)', () => {
  it('the lock holder only refreshes', () => {
    const r = run(view({ cluster: ledByMe(), local: 'primary', task: { kind: 'restart', name: 'restart', startedAt: 0 } }), ['held']);
    expect(r.leaf.message).toBe('updated leader lock during restart');
    expect(r.steps).toEqual(['refreshLeader']);
  });
  it('lost lock during a primary restart: cancel and demote immediate-nolock', () => {
    const r = run(view({ cluster: ledByMe(), local: 'primary', task: { kind: 'restart', name: 'restart', startedAt: 0 } }), ['lost']);
    expect(r.leaf.message).toBe('lost leader lock during restart');
    expect(r.steps).toEqual(['refreshLeader', 'cancelTask', 'remember:rewind', 'demote:immediate-nolock']);
  });
  it('no lock during a promote: cancel it', () => {
    const r = run(view({ task: { kind: 'promote', name: 'promote', startedAt: 0 } }));
    expect(r.leaf.message).toBe('lost leader before promote');
    expect(r.steps).toEqual(['cancelTask']);
  });
  it('a replica clone in progress just waits', () => {
    const r = run(view({ local: 'empty', task: { kind: 'clone', name: "bootstrap from leader 'n2'", startedAt: 0 } }));
    expect(r.leaf.message).toBe("bootstrap from leader 'n2' in progress");
  });
});

describe('decide: starting and recovering (§1.3, §1.5, §1.7)', () => {
  it('primary start timed out with a healthy replica: demote immediate', () => {
    const r = run(
      view({ cluster: ledByMe(), local: 'starting-primary', now: 400_000, stateSince: 0, peers: [peer('n2')] }),
      ['held'],
    );
    expect(r.leaf.message).toBe('stopped PostgreSQL because of startup timeout');
    expect(r.steps).toEqual(['refreshLeader', 'remember:rewind', 'demote:immediate']);
  });
  it('primary start timed out and nobody can take over: keep waiting', () => {
    const r = run(view({ cluster: ledByMe(), local: 'starting-primary', now: 400_000, peers: [peer('n2', { reachable: false })] }), ['held']);
    expect(r.leaf.message).toBe('primary start has timed out, but continuing to wait because failover is not possible');
  });
  it('still starting: seconds left', () => {
    const r = run(view({ cluster: ledByMe(), local: 'starting-primary', now: 100_000, stateSince: 0 }), ['held']);
    expect(r.leaf.message).toBe('PostgreSQL is still starting up, 200 seconds until timeout');
  });
  it('lost lock while starting: stop', () => {
    const r = run(view({ cluster: ledByMe(), local: 'starting-primary' }), ['lost']);
    expect(r.leaf.message).toBe('stopped PostgreSQL while starting up because leader key was lost');
  });
  it('crashed primary holding the lock restarts in place', () => {
    const r = run(view({ cluster: ledByMe(), local: 'crashed-primary', controlState: 'shut down', memory: { crashRecoveryStartedAt: 1 } }), ['held']);
    expect(r.leaf.message).toBe('starting primary after failure');
    expect(r.steps).toEqual(['refreshLeader', 'remember:recovering', 'start:primary:none']);
  });
  it('primary_start_timeout 0: fail over after a crash when possible', () => {
    const r = run(view({ cluster: ledByMe(), local: 'crashed-primary', config: { primary_start_timeout: 0 }, peers: [peer('n2')] }), ['held']);
    expect(r.leaf.message).toBe('stopped PostgreSQL to fail over after a crash');
  });
  it('unclean shutdown with no leader: single-user crash recovery once', () => {
    const r = run(view({ cluster: makeCluster({ leader: null }), local: 'crashed-primary' }));
    expect(r.leaf.message).toBe('doing crash recovery in a single user mode');
    expect(r.steps).toEqual(['remember:crashRecoveryStartedAt', 'crashRecovery']);
  });
  it('a stopped replica starts as a secondary following the leader', () => {
    const r = run(view({ local: 'stopped' }));
    expect(r.leaf.message).toBe('starting as a secondary');
    expect(r.steps).toEqual(['remember:recovering', 'start:replica:n2']);
  });
  it('a failed start with the lock removes the lock', () => {
    const r = run(view({ cluster: ledByMe(), local: 'stopped', memory: { recovering: true } }));
    expect(r.leaf.message).toBe('removed leader key after trying and failing to start postgres');
    expect(r.steps).toEqual(['remember:recovering', 'releaseLeader']);
  });
  it('in pause a stopped lock holder gives the lock up', () => {
    const r = run(view({ cluster: ledByMe(), local: 'stopped', config: { pause: true } }));
    expect(r.leaf.message).toBe('PAUSE: removed leader lock because postgres is not running');
  });
});

describe('decide: manual failover at the leader (§1.11)', () => {
  const wall = Date.UTC(2026, 0, 1);
  it('switchover to a healthy candidate: graceful demotion', () => {
    const r = run(view({ cluster: ledByMe({ failover: { leader: 'n1', candidate: 'n2' } }), local: 'primary', peers: [peer('n2')] }), ['held']);
    expect(r.leaf.message).toBe('switchover: demoting myself');
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'remember:rewind', 'demote:graceful']);
  });
  it('candidate unreachable: the request is cleared', () => {
    const r = run(view({ cluster: ledByMe({ failover: { leader: 'n1', candidate: 'n2' } }), local: 'primary', peers: [peer('n2', { reachable: false })] }), ['held']);
    expect(r.leaf.message).toBe('no action. I am (n1), the leader with the lock');
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'clearFailover']);
  });
  it('scheduled in the future: wait', () => {
    const r = run(view({ wallNow: wall, cluster: ledByMe({ failover: { leader: 'n1', candidate: 'n2', scheduledAtMs: wall + 60_000 } }), local: 'primary', peers: [peer('n2')] }), ['held']);
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus']);
  });
  it('scheduled within loop_wait: sleep until then and demote', () => {
    const r = run(view({ wallNow: wall, cluster: ledByMe({ failover: { leader: 'n1', candidate: 'n2', scheduledAtMs: wall + 4_000 } }), local: 'primary', peers: [peer('n2')] }), ['held']);
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'sleep:4000', 'remember:rewind', 'demote:graceful']);
  });
  it('stale schedule: cleared', () => {
    const r = run(view({ wallNow: wall, cluster: ledByMe({ failover: { leader: 'n1', candidate: 'n2', scheduledAtMs: wall - 60_000 } }), local: 'primary', peers: [peer('n2')] }), ['held']);
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'clearFailover']);
  });
  it('a replica that is the named candidate of a failover without a leader takes the lock', () => {
    const r = run(view({ cluster: makeCluster({ leader: null, failover: { candidate: 'n1' } }), peers: [peer('n2', { walPosition: 9999 })] }), ['held']);
    expect(r.leaf.message).toBe('promoted self to leader by acquiring session lock');
    expect(r.steps).toEqual(['acquireLeader', 'clearFailover', 'remember:failsafeActive', 'promote']);
  });
  it('not the candidate, candidate healthy: let it win', () => {
    const r = run(view({ cluster: makeCluster({ leader: null, failover: { leader: 'n2', candidate: 'n3' }, members: [member('n1'), member('n2'), member('n3')] }), peers: [peer('n3')] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });
});

describe('decide: synchronous replication on the leader (§1.15)', () => {
  const rows = (names: string[], syncState = 'sync') =>
    names.map((n, i) => ({ pid: i, applicationName: n, state: 'streaming', syncState, sentLsn: 1000, writeLsn: 1000, flushLsn: 1000, replayLsn: 1000 }));
  it('empty /sync: enable by writing ourselves as leader', () => {
    const r = run(view({ cluster: ledByMe(), local: 'primary', config: { synchronous_mode: true } }), ['held', 'written']);
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'remember:syncWatch', 'writeSync:[]']);
  });
  it('a new synchronous standby goes into synchronous_standby_names first, /sync later', () => {
    const v = view({
      cluster: ledByMe({ sync: { leader: 'n1', standbys: [] } }),
      local: 'primary',
      config: { synchronous_mode: true },
      obs: { replication: rows(['n2'], 'async'), synchronousStandbyNames: '' },
      memory: { syncWatch: { names: '', lsn: 0 } },
    });
    const r = run(v, ['held']);
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'ssn:n2']);
  });
  it('a standby confirmed synchronous past the remembered LSN is published in /sync', () => {
    const v = view({
      cluster: ledByMe({ sync: { leader: 'n1', standbys: [] } }),
      local: 'primary',
      config: { synchronous_mode: true },
      obs: { replication: rows(['n2']), synchronousStandbyNames: 'n2' },
      memory: { syncWatch: { names: 'n2', lsn: 900 } },
    });
    // Postgres first (already listed: set again), then /sync.
    expect(run(v, ['held', 'written']).steps).toEqual(['refreshLeader', 'writeStatus', 'ssn:n2', 'writeSync:[n2]']);
  });
  it('a departing standby leaves /sync before synchronous_standby_names', () => {
    const v = view({
      cluster: ledByMe({ sync: { leader: 'n1', standbys: ['n2'] } }),
      local: 'primary',
      config: { synchronous_mode: true },
      obs: { replication: [], synchronousStandbyNames: 'n2' },
      memory: { syncWatch: { names: 'n2', lsn: 900 } },
    });
    expect(run(v, ['held', 'written']).steps).toEqual(['refreshLeader', 'writeStatus', 'writeSync:[]', 'ssn:']);
  });
  it('strict mode with nobody to pick: synchronous_standby_names = *', () => {
    const v = view({
      cluster: ledByMe({ sync: { leader: 'n1', standbys: ['n2'] } }),
      local: 'primary',
      config: { synchronous_mode: true, synchronous_mode_strict: 'on' },
      obs: { replication: [], synchronousStandbyNames: 'n2' },
      memory: { syncWatch: { names: 'n2', lsn: 900 } },
    });
    expect(run(v, ['held', 'written']).steps).toEqual(['refreshLeader', 'writeStatus', 'writeSync:[]', 'ssn:*']);
  });
  it('sync mode turned off: delete /sync and hand the setting back', () => {
    const r = run(view({ cluster: ledByMe({ sync: { leader: 'n1', standbys: ['n2'] } }), local: 'primary' }), ['held']);
    expect(r.steps).toEqual(['refreshLeader', 'writeStatus', 'deleteSync', 'ssn:']);
  });
});

describe('decide: slots (§3.10)', () => {
  it('the primary wants one physical slot per streaming member, plus permanent slots; never drops in pause', () => {
    const cluster = ledByMe({
      members: [member('n1', { role: 'primary' }), member('n2'), member('n3', { tags: { nostream: true } }), member('node-4')],
      config: { slots: { keep_me: { type: 'physical' }, cdc: { type: 'logical', database: 'app', plugin: 'pgoutput' } } },
    });
    const slots = (paused: boolean) => {
      const { actions } = walk(decide(view({ cluster, local: 'primary', config: { ...cluster.config!.data, pause: paused } })), ['held']);
      return actions.find((a): a is SyncSlotsAction => a.type === 'syncSlots')!;
    };
    expect(slots(false).desired.map((s) => s.name)).toEqual(['n2', 'node_4', 'keep_me', 'cdc']);
    expect(slots(false).dropUndesired).toBe(true);
    expect(slots(true).dropUndesired).toBe(false);
  });
  it('member_slots_ttl 0: a replica holds slots only for members cascading from it', () => {
    const cluster = makeCluster({
      members: [member('n1'), member('n2', { role: 'primary' }), member('n3', { tags: { replicatefrom: 'n1' }, xlog_location: 777 })],
      config: { member_slots_ttl: 0 },
    });
    const { actions } = walk(decide(view({ cluster, obs: observation() })));
    const pass = actions.find((a): a is SyncSlotsAction => a.type === 'syncSlots')!;
    expect(pass.desired).toEqual([{ name: 'n3', type: 'physical', advanceTo: 777 }]);
  });
});
