/**
 * Quorum commit through decide(): the leader race (who may promote, given /sync's voters
 * and quorum), what a winner writes before promoting, the leader's quorum steps as
 * gated actions, and the "is a failover possible?" check before a switchover.
 */
import { describe, expect, it } from 'vitest';
import { decide, walk, type Action, type Cluster, type HaView } from '../../src/index.js';
import { ledByMe, makeCluster, member, peer, view } from './fixtures.js';

const QUORUM = { synchronous_mode: 'quorum' };

/** A /sync as Patroni 4 writes it. */
function withSync(cluster: Cluster, leader: string, voters: string[], quorum: number): Cluster {
  return { ...cluster, sync: { version: '7', leader, syncStandbys: voters, extra: { quorum } } };
}

const four = [member('n1'), member('n2'), member('n3'), member('n4')];
const unlocked = (voters: string[], quorum: number): Cluster => withSync(makeCluster({ leader: null, members: four }), 'n2', voters, quorum);

function sig(a: Action): string {
  if (a.type === 'writeSync') return `/sync ${a.leader} q=${a.quorum ?? '-'} [${a.standbys.join(',')}]`;
  if (a.type === 'applySyncStandbyNames') return `ssn ${a.value ?? "''"}`;
  if (a.type === 'remember') return `remember:${Object.keys(a.patch).sort().join(',')}`;
  return a.type;
}
const NOISE = new Set(['touchMember', 'syncSlots', 'armLeaseGuard', 'settleLeaseGuard', 'log', 'writeStatus', 'refreshLeader']);
function run(v: HaView, path: string[] = []) {
  const { actions, leaf } = walk(decide(v), path);
  return { leaf, steps: actions.map(sig).filter((s) => !NOISE.has(s)) };
}

describe('quorum mode: the leader race', () => {
  it('a voter that sees quorum (1) other voters, none ahead, wins; /sync and ssn before the promotion', () => {
    const r = run(view({ cluster: unlocked(['n1', 'n3'], 1), config: QUORUM, peers: [peer('n3', { walPosition: 1000 })] }), ['held', 'written', 'applied']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
    // The former leader n2 becomes a voter; ANY 1 of (n2, n3) keeps quorum 1 safe.
    expect(r.steps).toEqual(['acquireLeader', '/sync n1 q=1 [n2,n3]', 'ssn ANY 1 (n2,n3)', 'remember:failsafeActive', 'promote']);
  });

  it('the other voter unreachable: not enough votes, no race', () => {
    const r = run(view({ cluster: unlocked(['n1', 'n3'], 1), config: QUORUM, peers: [peer('n3', { reachable: false, walPosition: 0 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
    expect(r.steps).not.toContain('acquireLeader');
  });

  it('a voter ahead of me stops me', () => {
    const r = run(view({ cluster: unlocked(['n1', 'n3'], 1), config: QUORUM, peers: [peer('n3', { walPosition: 2000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('a voter whose Postgres is down does not vote', () => {
    const r = run(view({ cluster: unlocked(['n1', 'n3'], 1), config: QUORUM, peers: [peer('n3', { walPosition: 0 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('quorum 0: a voter needs nobody else', () => {
    const r = run(view({ cluster: unlocked(['n1'], 0), config: QUORUM, peers: [] }), ['held', 'written', 'applied']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
    expect(r.steps).toEqual(['acquireLeader', '/sync n1 q=0 [n2]', 'ssn ANY 1 (n2)', 'remember:failsafeActive', 'promote']);
  });

  it('a node outside the voters needs quorum + 1 votes: two voters not ahead', () => {
    const ok = run(view({ cluster: unlocked(['n3', 'n4'], 1), config: QUORUM, peers: [peer('n3'), peer('n4')] }), ['held', 'written', 'applied']);
    expect(ok.leaf.reason).toBe('race-acquired-promote');
    // Not a voter: n1 is not in the new set; n2 (former leader), n3, n4 are; ANY 2 of 3 for quorum 1.
    expect(ok.steps).toEqual(['acquireLeader', '/sync n1 q=1 [n2,n3,n4]', 'ssn ANY 2 (n2,n3,n4)', 'remember:failsafeActive', 'promote']);
    const short = run(view({ cluster: unlocked(['n3', 'n4'], 1), config: QUORUM, peers: [peer('n3'), peer('n4', { reachable: false, walPosition: 0 })] }));
    expect(short.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('in synchronous_mode on (not quorum) the same node outside /sync does not race at all', () => {
    const r = run(view({ cluster: unlocked(['n3', 'n4'], 1), config: { synchronous_mode: true }, peers: [peer('n3'), peer('n4')] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('a nofailover voter still votes (its WAL position is a fact)', () => {
    const r = run(view({ cluster: unlocked(['n1', 'n3'], 1), config: QUORUM, peers: [peer('n3', { nofailover: true })] }), ['held', 'written', 'applied']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
  });

  it('losing the /sync CAS or failing to set synchronous_standby_names postpones the promotion', () => {
    const v = view({ cluster: unlocked(['n1', 'n3'], 1), config: QUORUM, peers: [peer('n3')] });
    expect(run(v, ['held', 'conflict']).leaf.reason).toBe('sync-promotion-postponed');
    const failed = run(v, ['held', 'written', 'failed']);
    expect(failed.leaf.reason).toBe('sync-promotion-postponed');
    expect(failed.steps).not.toContain('promote');
  });
});

describe('quorum mode: the leader keeps /sync and synchronous_standby_names', () => {
  const rows = (names: string[], syncState = 'quorum', lsn = 1000) =>
    names.map((n, i) => ({ pid: i, applicationName: n, state: 'streaming', syncState, sentLsn: lsn, writeLsn: lsn, flushLsn: lsn, replayLsn: lsn }));
  const members3 = [member('n1', { role: 'primary' }), member('n2'), member('n3')];
  const led = (voters: string[], quorum: number) => withSync(ledByMe({ members: members3 }), 'n1', voters, quorum);

  it('enabling: /sync names only the leader, with quorum 0', () => {
    const v = view({ cluster: ledByMe({ members: members3 }), local: 'primary', config: QUORUM, obs: { replication: rows(['n2', 'n3'], 'async') } });
    expect(run(v, ['held', 'written']).steps).toEqual(['remember:syncWatch', '/sync n1 q=0 []']);
  });

  it('standbys streaming: ANY 1 (n2,n3) first; /sync waits for them to confirm', () => {
    const v = view({ cluster: led([], 0), local: 'primary', config: QUORUM, obs: { replication: rows(['n2', 'n3'], 'async'), synchronousStandbyNames: '' }, memory: { syncWatch: { names: '', lsn: 0 } } });
    expect(run(v, ['held', 'applied']).steps).toEqual(['ssn ANY 1 (n2,n3)']);
  });

  it('confirmed past the remembered LSN: /sync gets the voters and quorum 1', () => {
    const v = view({ cluster: led([], 0), local: 'primary', config: QUORUM, obs: { replication: rows(['n2', 'n3']), synchronousStandbyNames: 'ANY 1 (n2,n3)' }, memory: { syncWatch: { names: 'ANY 1 (n2,n3)', lsn: 900 } } });
    expect(run(v, ['held', 'written']).steps).toEqual(['/sync n1 q=1 [n2,n3]']);
  });

  it('not yet past the remembered LSN: nothing yet', () => {
    const v = view({ cluster: led([], 0), local: 'primary', config: QUORUM, obs: { replication: rows(['n2', 'n3'], 'quorum', 800), synchronousStandbyNames: 'ANY 1 (n2,n3)' }, memory: { syncWatch: { names: 'ANY 1 (n2,n3)', lsn: 900 } } });
    expect(run(v, ['held']).steps).toEqual([]);
  });

  it('a standby leaves: ssn shrinks first; /sync follows in a later cycle', () => {
    const v = view({ cluster: led(['n2', 'n3'], 1), local: 'primary', config: QUORUM, obs: { replication: rows(['n2']), synchronousStandbyNames: 'ANY 1 (n2,n3)' }, memory: { syncWatch: { names: 'ANY 1 (n2,n3)', lsn: 900 } } });
    expect(run(v, ['held', 'applied']).steps).toEqual(['ssn ANY 1 (n2)']);
  });

  it('synchronous_node_count 2 → 1: /sync quorum up first, then ssn down, chained on the CAS', () => {
    const v = view({ cluster: led(['n2', 'n3'], 0), local: 'primary', config: QUORUM, obs: { replication: rows(['n2', 'n3']), synchronousStandbyNames: 'ANY 2 (n2,n3)' }, memory: { syncWatch: { names: 'ANY 2 (n2,n3)', lsn: 900 } } });
    expect(run(v, ['held', 'written', 'applied']).steps).toEqual(['/sync n1 q=1 [n2,n3]', 'ssn ANY 1 (n2,n3)']);
    // The CAS lost: synchronous_standby_names is left alone.
    expect(run(v, ['held', 'conflict']).steps).toEqual(['/sync n1 q=1 [n2,n3]']);
  });

  it('synchronous_node_count 1 → 2: ssn up; the quorum comes down once it is in force', () => {
    const v = view({ cluster: led(['n2', 'n3'], 1), local: 'primary', config: { ...QUORUM, synchronous_node_count: 2 }, obs: { replication: rows(['n2', 'n3']), synchronousStandbyNames: 'ANY 1 (n2,n3)' }, memory: { syncWatch: { names: 'ANY 1 (n2,n3)', lsn: 900 } } });
    expect(run(v, ['held', 'applied']).steps).toEqual(['ssn ANY 2 (n2,n3)']);
  });

  it('while the promotion is still under way, nothing is planned (no standby streams yet)', () => {
    const v = view({ cluster: led(['n2', 'n3'], 1), local: 'replica', status: { role: 'promoted' }, config: QUORUM, obs: { replication: [], synchronousStandbyNames: 'ANY 1 (n2,n3)' } });
    const steps = run(v, ['held']).steps;
    expect(steps.filter((s) => s.startsWith('/sync') || s.startsWith('ssn'))).toEqual([]);
  });

  it('maximum_lag_on_syncnode drops a lagging standby from the plan', () => {
    const lagging = [...rows(['n2'], 'quorum', 5000), ...rows(['n3'], 'quorum', 1000)];
    const v = view({ cluster: led(['n2', 'n3'], 1), local: 'primary', config: { ...QUORUM, maximum_lag_on_syncnode: 100 }, obs: { replication: lagging, synchronousStandbyNames: 'ANY 1 (n2,n3)' }, memory: { syncWatch: { names: 'ANY 1 (n2,n3)', lsn: 900 } } });
    expect(run(v, ['held', 'applied']).steps).toEqual(['ssn ANY 1 (n2)']);
  });
});

describe('quorum mode: a switchover asks whether enough members remain', () => {
  const members3 = [member('n1', { role: 'primary' }), member('n2'), member('n3')];
  const led = withSync(ledByMe({ members: members3, failover: { leader: 'n1' } }), 'n1', ['n2', 'n3'], 1);
  it('two healthy members for quorum 1: demote', () => {
    const r = run(view({ cluster: led, local: 'primary', config: QUORUM, peers: [peer('n2'), peer('n3')] }), ['held']);
    expect(r.steps).toContain('demote');
  });
  it('one healthy member cannot reach quorum 1: the request is cleared', () => {
    const r = run(view({ cluster: led, local: 'primary', config: QUORUM, peers: [peer('n2'), peer('n3', { reachable: false, walPosition: 0 })] }), ['held']);
    expect(r.steps).not.toContain('demote');
    expect(r.steps).toContain('clearFailover');
  });
});
