import { describe, expect, it } from 'vitest';
import { commitIds } from '../../sim/wal.js';
import { manualWorld, primaryWithReplicas, until, up } from './helpers.js';

describe('PostgresModel', () => {
  it('bootstraps a writable primary; replicas clone it and stream new commits', async () => {
    const world = manualWorld();
    const [p, r2, r3] = await primaryWithReplicas(world);
    expect(p!.isWritable()).toBe(true);
    expect(r2!.isWritable()).toBe(false);
    const res = await until(world, p!.commit('row1'));
    expect(res).toMatchObject({ kind: 'acked', commit: { sync: false, tli: 1 } });
    await world.runFor(100);
    expect(commitIds(r2!.wal).has('row1')).toBe(true);
    expect(commitIds(r3!.wal).has('row1')).toBe(true);
    const obs = await until(world, r2!.observe());
    expect(obs.ok && obs.value.inRecovery && obs.value.walPosition === p!.flushLsn).toBe(true);
  });

  it('holds a synchronous commit until the named standby has flushed it', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    await until(world, p!.setSynchronousStandbyNames('node2'));
    world.network.cut('node1', 'node2');
    const commit = p!.commit('row-sync');
    let outcome: unknown = null;
    void commit.then((o) => (outcome = o));
    await world.runFor(10_000);
    expect(outcome).toBeNull(); // node3 streams, but it is not the one listed
    world.network.heal('node1', 'node2');
    const res = await until(world, commit);
    expect(res).toMatchObject({ kind: 'acked', commit: { sync: true } });
  });

  it('releases waiting commits as not-synchronous when synchronous_standby_names is emptied', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    await until(world, p!.setSynchronousStandbyNames('nobody'));
    const commit = p!.commit('row-released');
    await world.runFor(1000);
    await until(world, p!.setSynchronousStandbyNames(null));
    expect(await until(world, commit)).toMatchObject({ kind: 'acked', commit: { sync: false } });
  });

  it('a crash fails waiting commits: durable locally, never acknowledged', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    await until(world, p!.setSynchronousStandbyNames('nobody'));
    const commit = p!.commit('row-crash');
    await world.runFor(1000);
    p!.crash('test');
    expect(await until(world, commit)).toMatchObject({ kind: 'failed' });
    expect(commitIds(p!.wal).has('row-crash')).toBe(true);
    expect(p!.acked.map((c) => c.id)).not.toContain('row-crash');
    expect(p!.status().state).toBe('crashed');
    const control = await until(world, p!.controlData());
    expect(control.ok && control.value.clusterState).toBe('in production'); // unclean
  });

  it('promote starts a new timeline; a replica pointed at the new primary follows it', async () => {
    const world = manualWorld();
    const [p, r2, r3] = await primaryWithReplicas(world);
    await until(world, p!.stop('fast'));
    const control = await until(world, p!.controlData());
    expect(control.ok && control.value.clusterState).toBe('shut down');
    await world.runFor(100);
    expect((await until(world, r2!.promote())).ok).toBe(true);
    expect(r2!.isWritable()).toBe(true);
    expect(r2!.timeline).toBe(2);
    expect((await until(world, r3!.follow({ upstream: up('node2') }))).ok).toBe(true);
    await until(world, r2!.commit('on-tli-2'));
    await world.runFor(200);
    expect(r3!.isStreamingFrom('node2')).toBe(true);
    expect(r3!.timeline).toBe(2);
    // The cleanly stopped old primary has the shutdown checkpoint the new one forked after.
    const verdict = await until(world, p!.checkDivergence(up('node2')));
    expect(verdict.ok && verdict.value.needed).toBe(false);
  });

  it('an ex-primary that wrote past the fork cannot stream; pg_rewind drops the divergent WAL', async () => {
    const world = manualWorld();
    const [p, r2, r3] = await primaryWithReplicas(world);
    world.network.cut('node1', 'node2');
    world.network.cut('node1', 'node3');
    await until(world, p!.commit('lost-on-old-primary'));
    expect((await until(world, r2!.promote())).ok).toBe(true);
    await until(world, r3!.follow({ upstream: up('node2') }));
    await until(world, p!.stop('immediate'));
    world.network.heal('node1', 'node2');
    world.network.heal('node1', 'node3');
    // As with the real controller: an unclean data directory must recover first.
    expect(await until(world, p!.checkDivergence(up('node2')))).toMatchObject({ ok: false, code: 'not-ready' });
    expect((await until(world, p!.crashRecovery())).ok).toBe(true);
    const verdict = await until(world, p!.checkDivergence(up('node2')));
    expect(verdict.ok && verdict.value.needed).toBe(true);
    // Before its post-promote checkpoint the new primary is not a valid rewind source.
    const early = await until(world, p!.rewind(up('node2')));
    expect(early).toMatchObject({ ok: false, code: 'not-ready' });
    expect((await until(world, r2!.checkpoint())).ok).toBe(true);
    expect(await until(world, p!.rewind(up('node2')))).toMatchObject({ ok: true, value: 'rewound' });
    expect(commitIds(p!.wal).has('lost-on-old-primary')).toBe(false);
    expect((await until(world, p!.start({ role: 'replica', upstream: up('node2') }))).ok).toBe(true);
    await world.runFor(500);
    expect(p!.isStreamingFrom('node2')).toBe(true);
  });

  it('a diverged replica without wal_log_hints cannot be rewound and does not stream', async () => {
    const world = manualWorld({ rewindable: false });
    const [p, r2] = await primaryWithReplicas(world);
    world.network.cut('node1', 'node2');
    await until(world, p!.commit('diverges'));
    await until(world, r2!.promote());
    await until(world, p!.follow({ upstream: up('node2') }));
    world.network.heal('node1', 'node2');
    await world.runFor(6000);
    expect(p!.isStreamingFrom('node2')).toBe(false);
    expect(await until(world, p!.rewind(up('node2')))).toMatchObject({ ok: false, code: 'not-rewindable' });
  });

  it('honours deadlines: a slow start times out but Postgres keeps starting', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    await until(world, p!.stop('fast'));
    p!.setSlowFactor(100);
    const res = await until(world, p!.start({ timeoutMs: 1000 }));
    expect(res).toMatchObject({ ok: false, code: 'timeout' });
    expect(p!.status().state).toBe('starting');
    await world.runFor(200_000);
    expect(p!.status().state).toBe('running');
    expect(p!.isWritable()).toBe(true);
  });

  it('a running async replica ahead of the promoted sync standby is forked: the check says rewind', async () => {
    const world = manualWorld();
    const [p, r2, r3] = await primaryWithReplicas(world);
    world.network.cut('node1', 'node2');
    await until(world, p!.commit('only-on-node1-and-node3'));
    await world.runFor(100);
    expect(commitIds(r3!.wal).has('only-on-node1-and-node3')).toBe(true);
    p!.crash('test');
    expect((await until(world, r2!.promote())).ok).toBe(true);
    await until(world, r3!.follow({ upstream: up('node2') }));
    await world.runFor(6000);
    expect(r3!.isStreamingFrom('node2')).toBe(false);
    const obs = await until(world, r3!.observe());
    expect(obs.ok && obs.value.walReceiver).toBeNull();
    const verdict = await until(world, r3!.checkDivergence(up('node2')));
    expect(verdict).toMatchObject({ ok: true, value: { needed: true } });
    // The new primary itself is never checked: it is the one the others follow.
    expect(await until(world, r2!.checkDivergence(up('node2')))).toMatchObject({ ok: false, code: 'wrong-role' });
  });

  it("a streaming standby on the leader's timeline needs no rewind", async () => {
    const world = manualWorld();
    const [p, r2] = await primaryWithReplicas(world);
    await until(world, p!.commit('shared'));
    await world.runFor(100);
    expect(r2!.isStreamingFrom('node1')).toBe(true);
    expect(await until(world, r2!.checkDivergence(up('node1')))).toMatchObject({ ok: true, value: { needed: false } });
  });

  it('a healed slow disk speeds operations in flight back up', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    await until(world, p!.stop('fast'));
    p!.setSlowFactor(30); // start: 1.5 s of work, 45 s at x30
    const started = world.clock.now();
    let done = false;
    void p!.start().then(() => (done = true));
    await world.runFor(3000); // 0.1 s of work done at x30
    expect(p!.status().state).toBe('starting');
    p!.setSlowFactor(1);
    await world.runFor(1500);
    expect(done).toBe(true);
    expect(p!.status().state).toBe('running');
    expect(world.clock.now() - started).toBeLessThan(5000);
  });

  it('reports the postmaster exit to listeners, expected or not', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    const exits: boolean[] = [];
    p!.onPostmasterExit((e) => exits.push(e.expected));
    p!.crash('test');
    await until(world, p!.start());
    await until(world, p!.stop('immediate'));
    expect(exits).toEqual([false, true]);
  });
});
