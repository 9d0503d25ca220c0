/**
 * The ground-truth invariants, each against ground truth the agents cannot bend: the DCS
 * server's leader key, the fence's own record, /sync at the instant of a commit's
 * acknowledgement, the answers a race winner really received. Each is shown to fire on
 * a hand-made violation and to stay silent on the legitimate case next to it. (That the
 * real engine trips them when a safety step is removed: mutation-suite.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { InvariantChecker } from '../../sim/invariants.js';
import { judgeRaceWinner } from '../../sim/race-checks.js';
import type { World } from '../../sim/world.js';
import { manualWorld, primaryWithReplicas, until } from './helpers.js';

/** Only the checks under test: liveness and replica-follows are not what these worlds are about. */
const QUIET = { livenessBoundMs: Number.MAX_SAFE_INTEGER, replicasFollow: false };
const put = (world: World, key: string, value: unknown) => world.server.put(world.layout.key(key), typeof value === 'string' ? value : JSON.stringify(value));

/** node1 primary, node2 and node3 streaming; every agent process running (idle agents). */
async function cluster(options: Parameters<typeof manualWorld>[0] = {}) {
  const world = manualWorld(options);
  world.start();
  const [p, r2, r3] = await primaryWithReplicas(world);
  return { world, p: p!, r2: r2!, r3: r3! };
}

describe('writable-past-server-lease', () => {
  it('flags a writable primary whose key the server no longer holds, however long the adapter said it was valid', async () => {
    const { world } = await cluster();
    const lease = world.server.grantLease(30_000);
    world.server.put(world.layout.key('leader'), 'node1', lease);
    // An adapter that overstates validUntil: the adapter-trusting check cannot see it.
    world.node('node1').lock.held(world.clock.now(), world.clock.now() + 3_600_000);
    const checker = new InvariantChecker(world, QUIET);
    checker.checkStep();
    expect(checker.violations).toEqual([]);
    world.server.revokeLease(lease);
    checker.checkStep();
    expect(checker.violations.map((v) => v.invariant)).toEqual(['writable-past-server-lease']);
    expect(checker.violations[0]!.message).toMatch(/node1 accepts writes .* leader key is gone/);
  });

  it('leaves a frozen agent to the fence (writer-past-lease counts it as fence-covered) and a bootstrap alone', async () => {
    const { world } = await cluster();
    const checker = new InvariantChecker(world, QUIET);
    checker.checkStep(); // node1 never held the lock (as during bootstrap): nothing to outlive
    expect(checker.violations).toEqual([]);
    world.node('node1').lock.held(world.clock.now(), world.clock.now() + 1000);
    world.pauseAgent(world.node('node1'));
    await world.runFor(2000);
    checker.checkStep();
    expect(checker.violations).toEqual([]);
    expect(checker.fenceCoveredInstants).toBeGreaterThan(0);
  });
});

describe('fence-kill-of-live-agent', () => {
  /** The fence armed to fire in 1 s on node1's running primary, its agent last hearing from the DCS `contactAgoMs` before. */
  async function fenceFires(contactAgoMs: number, pause: boolean) {
    const { world } = await cluster();
    await world.runFor(15_000); // the agent has run for longer than retry_timeout (10 s)
    const node = world.node('node1');
    node.dcsContact.answered(world.clock.now() + 1000 - contactAgoMs);
    node.fence.arm(world.clock.now() + 1000);
    if (pause) world.pauseAgent(node);
    const checker = new InvariantChecker(world, QUIET);
    await world.runFor(2000);
    checker.checkStep();
    expect(node.fence.fired).toBe(1);
    expect(node.pg.isWritable()).toBe(false);
    return checker.violations.map((v) => v.invariant);
  }

  it('flags a kill of a running agent that reached the DCS within retry_timeout', async () => {
    expect(await fenceFires(2000, false)).toEqual(['fence-kill-of-live-agent']);
  });

  it('accepts the fence doing its job: the agent was frozen, or cut from the DCS for retry_timeout', async () => {
    expect(await fenceFires(2000, true)).toEqual([]);
    expect(await fenceFires(10_500, false)).toEqual([]);
  });
});

describe('strict-sync-ack', () => {
  /** Strict mode on in /config, /sync as given, synchronous_standby_names as given. */
  async function strictCluster(sync: unknown, names: string, config: unknown = { synchronous_mode: true, synchronous_mode_strict: true }) {
    const c = await cluster({ synchronousMode: true });
    put(c.world, 'config', config);
    put(c.world, 'sync', sync);
    await until(c.world, c.p.setSynchronousStandbyNames(names));
    const checker = new InvariantChecker(c.world, QUIET);
    const result = await until(c.world, c.p.commit('row-1'));
    expect(result.kind).toBe('acked');
    return checker.violations;
  }

  it('accepts a commit confirmed by the standby /sync lists', async () => {
    expect(await strictCluster({ leader: 'node1', sync_standby: 'node2' }, 'node2')).toEqual([]);
  });

  it('accepts a confirmation through * while /sync lists no standby (only the leader may take over)', async () => {
    expect(await strictCluster({ leader: 'node1', sync_standby: null }, '*')).toEqual([]);
  });

  it('flags a commit released unconfirmed (synchronous_standby_names empty)', async () => {
    const [v] = await strictCluster({ leader: 'node1', sync_standby: null }, '');
    expect(v).toMatchObject({ invariant: 'strict-sync-ack' });
    expect(v!.message).toMatch(/without confirmation by a synchronous standby/);
  });

  it('flags a commit a /sync-listed standby did not confirm', async () => {
    const [v] = await strictCluster({ leader: 'node1', sync_standby: 'node3' }, 'node2');
    expect(v!.message).toMatch(/confirmed by node2, but \/sync lists node3/);
  });

  it('flags a commit acknowledged while /sync names another leader', async () => {
    const [v] = await strictCluster({ leader: 'node2', sync_standby: 'node3' }, 'node3');
    expect(v!.message).toMatch(/while \/sync names node2 as its leader/);
  });

  it('is silent without strict mode (non-strict may release commits by design)', async () => {
    expect(await strictCluster({ leader: 'node1', sync_standby: null }, '', { synchronous_mode: true })).toEqual([]);
  });
});

describe('race-winner-lagging, race-winner-behind, race-winner-not-in-sync', () => {
  it('flags a winner further behind /status than maximum_lag_on_failover', async () => {
    const { world, r2 } = await cluster();
    put(world, 'config', { maximum_lag_on_failover: 1024 });
    put(world, 'status', { optime: r2.flushLsn + 1024 });
    expect(judgeRaceWinner(world, world.node('node2'), new Set())).toBeNull();
    put(world, 'status', { optime: r2.flushLsn + 1025 });
    expect(judgeRaceWinner(world, world.node('node2'), new Set())).toMatchObject({ invariant: 'race-winner-lagging' });
  });

  it('flags a winner a peer told, in this race, that it had more WAL', async () => {
    const { world, r2 } = await cluster();
    const winner = world.node('node2');
    const ahead = { role: 'replica', xlog: { received_location: r2.flushLsn + 128, replayed_location: r2.flushLsn } };
    winner.peerAnswers.set('node3', { at: world.clock.now(), body: ahead });
    expect(judgeRaceWinner(world, winner, new Set())).toMatchObject({ invariant: 'race-winner-behind' });
    // A nofailover peer does not count, nor an answer from an earlier round.
    expect(judgeRaceWinner(world, winner, new Set(['node3']))).toBeNull();
    winner.peerAnswers.set('node3', { at: world.clock.now() - 5000, body: ahead });
    expect(judgeRaceWinner(world, winner, new Set())).toBeNull();
  });

  it('flags a winner /sync does not list while sync mode is active', async () => {
    const { world } = await cluster({ synchronousMode: true });
    put(world, 'config', { synchronous_mode: true });
    put(world, 'sync', { leader: 'node1', sync_standby: 'node3' });
    expect(judgeRaceWinner(world, world.node('node2'), new Set())).toMatchObject({ invariant: 'race-winner-not-in-sync' });
    expect(judgeRaceWinner(world, world.node('node3'), new Set())).toBeNull();
  });
});
