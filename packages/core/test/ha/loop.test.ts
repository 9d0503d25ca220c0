/**
 * The loop and executor against the in-memory DCS on a virtual clock, with a small
 * in-memory Postgres double per node.
 */
import { describe, expect, it } from 'vitest';
import { FakePostgres } from './fake-postgres.js';
import { fail, type DataDirState, type PgResult } from '../../src/index.js';
import { SYSID } from './fixtures.js';
import { world } from './loop-world.js';

/** Moves virtual time in 100 ms steps, so that a cycle's awaits settle between timers. */
async function tick(w: { clock: { advance(ms: number): Promise<void> } }, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await w.clock.advance(100);
}

/** Writes `name`'s member key as a running node would. */
function putMember(w: ReturnType<typeof world>, name: string, role: 'primary' | 'replica', xlog = 0): void {
  w.server.put(w.layout.member(name), JSON.stringify({ conn_url: `postgres://${name}:5432/postgres`, api_url: `http://${name}:8008/patroni`, role, xlog_location: xlog }));
}

describe('HaLoop', () => {
  it('bootstraps a new cluster from an empty data directory and keeps the lock', async () => {
    const w = world();
    const pg = new FakePostgres('n1', { empty: true });
    const n1 = w.node('n1', pg);
    expect((await w.step(n1)).message).toBe('trying to bootstrap a new cluster');
    expect(w.key('initialize')).toBe('');
    expect((await w.step(n1)).message).toBe('running post_bootstrap');
    const done = await w.step(n1);
    expect(done.message).toBe('initialized a new cluster');
    expect(w.key('leader')).toBe('n1');
    expect(w.key('initialize')).toBe(SYSID);
    expect(JSON.parse(w.key('config')!)).toMatchObject({ ttl: 30 });
    const steady = await w.step(n1);
    expect(steady.message).toBe('no action. I am (n1), the leader with the lock');
    expect(steady.lockValidUntil).toBeGreaterThan(w.clock.now() + 29_000);
    expect(n1.isLeader()).toBe(true);
    expect(JSON.parse(w.server.get(w.layout.member('n1'))!.value)).toMatchObject({ role: 'primary', state: 'running' });
    expect(pg.calls).toEqual(['bootstrap', 'postBootstrap', 'checkpoint']);
  });

  it('a replica follows the leader, then takes over when the leader disappears', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const p2 = new FakePostgres('n2', { role: 'replica', wal: 5000 });
    const n1 = w.node('n1', p1);
    const n2 = w.node('n2', p2);
    expect((await w.step(n1)).message).toBe('acquired session lock as a leader');
    expect((await w.step(n2)).message).toBe('no action. I am (n2), a secondary, and following a leader (n1)');
    expect(p2.calls).toContain('follow:n1');
    // n1's host dies: its agent stops and its lease runs out.
    p1.running = false;
    w.reachable.delete('n1');
    await w.clock.advance(31_000);
    expect(w.key('leader')).toBeUndefined();
    expect((await w.step(n2)).message).toBe('promoted self to leader by acquiring session lock');
    expect(w.key('leader')).toBe('n2');
    expect(p2.role).toBe('primary');
    expect((await w.step(n2)).message).toBe('no action. I am (n2), the leader with the lock');
  });

  it('a primary cut off from the DCS stops Postgres before its lock can expire', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary' });
    const n1 = w.node('n1', p1);
    const first = await w.step(n1);
    expect(first.message).toBe('acquired session lock as a leader');
    await w.step(n1);
    const validUntil = n1.getStatus().lockValidUntil!;
    w.server.cutOffClient('n1', true);
    await w.clock.advance(10_000);
    const cut = await w.step(n1);
    expect(cut.message).toBe('demoting self because DCS is not accessible and I was a leader');
    expect(p1.calls).toContain('stop:fast');
    expect(w.clock.now()).toBeLessThan(validUntil);
    expect(p1.role).toBe('replica');
    // Demoted is no longer leader, whatever the DCS may still say (Patroni: set_is_leader(False)):
    // the fence and /primary read this.
    expect(cut.lockValidUntil).toBeNull();
    expect(n1.isLeader()).toBe(false);
  });

  it('a primary that finds another node holding the lock demotes immediate-nolock and follows it', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary' });
    const n1 = w.node('n1', p1);
    await w.step(n1);
    // The lock changes hands behind n1's back (e.g. it stalled past ttl).
    w.server.deleteKey(w.layout.key('leader'));
    w.server.put(w.layout.member('n2'), JSON.stringify({ conn_url: 'postgres://n2:5432/postgres', api_url: 'http://n2:8008/patroni', role: 'primary' }));
    w.server.put(w.layout.key('leader'), 'n2');
    const s = await w.step(n1);
    expect(s.message).toBe('demoting self because I do not have the lock and I was a leader');
    expect(p1.calls).toEqual(expect.arrayContaining(['stop:immediate', 'follow:n2']));
    expect(n1.isLeader()).toBe(false);
  });

  it('runs a switchover: the leader demotes gracefully and the candidate promotes', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 7000 });
    const p2 = new FakePostgres('n2', { role: 'replica', wal: 7000 });
    const n1 = w.node('n1', p1);
    const n2 = w.node('n2', p2);
    await w.step(n1);
    await w.step(n2);
    await w.step(n1);
    w.server.put(w.layout.key('failover'), JSON.stringify({ leader: 'n1', member: 'n2' }));
    expect((await w.step(n1)).message).toBe('switchover: demoting myself');
    expect(p1.calls).toEqual(expect.arrayContaining(['stop:fast']));
    expect(w.key('leader')).toBeUndefined();
    expect((await w.step(n2)).message).toBe('promoted self to leader by acquiring session lock');
    expect(w.key('leader')).toBe('n2');
    expect(w.key('failover')).toBe('{}');
    await w.clock.advance(3_000); // n1's demotion task: 2 s for someone to take the lock, then follow
    expect(p1.calls).toContain('follow:n2');
    expect((await w.step(n1)).message).toBe('no action. I am (n1), a secondary, and following a leader (n2)');
  });

  it('wakes early on a leader key change instead of sleeping loop_wait', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'replica' });
    const n1 = w.node('n1', p1);
    w.server.put(w.layout.member('n2'), JSON.stringify({ conn_url: 'postgres://n2:5432/postgres', api_url: 'http://n2:8008/patroni', role: 'primary' }));
    w.server.put(w.layout.key('initialize'), SYSID);
    w.server.put(w.layout.key('leader'), 'n2');
    n1.start();
    await w.clock.advance(100);
    const before = n1.getStatus().cycle;
    expect(before).toBeGreaterThanOrEqual(1);
    await w.clock.advance(1_000); // the follow task it launched finishes and wakes it once more
    const settled = n1.getStatus().cycle;
    w.server.put(w.layout.key('leader'), 'n2'); // a watch event on `leader`
    await w.clock.advance(100);
    expect(n1.getStatus().cycle).toBe(settled + 1);
    const afterWake = n1.getStatus().cycle;
    await w.clock.advance(9_000);
    expect(n1.getStatus().cycle).toBe(afterWake);
    await w.clock.advance(1_100);
    expect(n1.getStatus().cycle).toBe(afterWake + 1);
    await n1.stop();
  });

  it('as the leader, wakes early when a member it has not seen writes its key, and only then', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary' });
    const n1 = w.node('n1', p1);
    w.server.put(w.layout.key('initialize'), SYSID);
    n1.start();
    await tick(w, 1_000);
    expect(n1.isLeader()).toBe(true);
    const settled = n1.getStatus().cycle;
    // A replica comes back: its slot is made in the leader's next cycle, so that cycle runs now.
    putMember(w, 'n2', 'replica', 100);
    await tick(w, 100);
    expect(n1.getStatus().cycle).toBe(settled + 1);
    // The same member writing again (its WAL position moved) is no news: loop_wait as usual.
    const known = n1.getStatus().cycle;
    putMember(w, 'n2', 'replica', 200);
    await tick(w, 9_000);
    expect(n1.getStatus().cycle).toBe(known);
    await tick(w, 1_100);
    expect(n1.getStatus().cycle).toBe(known + 1);
    await n1.stop();
  });

  it('as a replica, sleeps through a new member key', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'replica' });
    const n1 = w.node('n1', p1);
    putMember(w, 'n2', 'primary');
    w.server.put(w.layout.key('initialize'), SYSID);
    w.server.put(w.layout.key('leader'), 'n2');
    n1.start();
    await tick(w, 2_000); // its first cycle, and the one its follow task wakes
    const settled = n1.getStatus().cycle;
    putMember(w, 'n3', 'replica');
    await tick(w, 5_000);
    expect(n1.getStatus().cycle).toBe(settled);
    await n1.stop();
  });

  it('releases the lock and backs off when pre_promote vetoes the promotion', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'replica' });
    p1.vetoPromote = true;
    const n1 = w.node('n1', p1);
    w.server.put(w.layout.key('initialize'), SYSID);
    expect((await w.step(n1)).message).toBe('promoted self to leader by acquiring session lock');
    expect((await w.step(n1)).message).toBe('Promotion cancelled because the pre-promote script failed');
    expect(w.key('leader')).toBeUndefined();
    expect((await w.step(n1)).message).toBe('following a different leader because i am not the healthiest node');
  });
});

/** Bootstrap that finishes only when released, to land its result inside a cycle's observation. */
class GatedBootstrapPostgres extends FakePostgres {
  private release: (() => void) | null = null;
  finishDuringNextObserve = false;
  override async bootstrap(): Promise<PgResult> {
    await new Promise<void>((resolve) => (this.release = resolve));
    return super.bootstrap();
  }
  override async dataDirState(): Promise<DataDirState> {
    if (this.finishDuringNextObserve && this.release) {
      this.finishDuringNextObserve = false;
      this.release();
      await new Promise((r) => setImmediate(r));
    }
    return super.dataDirState();
  }
}

describe('HaLoop task results', () => {
  it('a bootstrap finishing while the loop observes is not mistaken for a lost result (regression)', async () => {
    const w = world();
    const pg = new GatedBootstrapPostgres('n1', { empty: true });
    const n1 = w.node('n1', pg);
    expect((await w.step(n1)).message).toBe('trying to bootstrap a new cluster');
    pg.finishDuringNextObserve = true;
    const next = await w.step(n1);
    // The cycle saw the task running when it started looking: it reports it so, and the
    // result counts from the next cycle on.
    expect(next.message).toBe('bootstrap in progress');
    expect((await w.step(n1)).message).toBe('running post_bootstrap');
    expect((await w.step(n1)).message).toBe('initialized a new cluster');
  });
});

/** Bootstrap whose post_bootstrap fails: the half-made cluster must not stay in place. */
class FailingPostBootstrapPostgres extends FakePostgres {
  override async postBootstrap(): Promise<PgResult> {
    this.calls.push('postBootstrap');
    return fail('command-failed', 'post_bootstrap script failed: exit 1');
  }
}

describe('HaLoop after a failed bootstrap', () => {
  it('gives initialize back, stops Postgres and moves the half-made data directory aside before giving up', async () => {
    const w = world();
    const pg = new FailingPostBootstrapPostgres('n1', { empty: true });
    const n1 = w.node('n1', pg);
    expect((await w.step(n1)).message).toBe('trying to bootstrap a new cluster');
    expect((await w.step(n1)).message).toBe('running post_bootstrap');
    expect((await w.step(n1)).message).toBe('removing initialize key after failed attempt to bootstrap the cluster');
    expect(w.key('initialize')).toBeUndefined();
    expect(pg.calls.slice(-2)).toEqual(['stop:immediate', 'moveDataDirectoryAside']);
    expect(await pg.dataDirState()).toMatchObject({ kind: 'empty' });
    expect(n1.getStatus().fatal).toBe('Failed to bootstrap cluster');
  });
});

describe('HaLoop.runTask', () => {
  it("runs an operator's restart as the task: the leader keeps its lock meanwhile, a second task is refused", async () => {
    const w = world();
    const pg = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const n1 = w.node('n1', pg);
    expect((await w.step(n1)).message).toBe('acquired session lock as a leader');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    expect(n1.runTask('restart', 'restart', async () => (await gate, { ok: true }))).toBe(true);
    expect(n1.runTask('restart', 'restart', async () => ({ ok: true }))).toBe(false);
    expect((await w.step(n1)).message).toBe('updated leader lock during restart');
    expect(n1.getStatus().task).toBe('restart');
    release();
    await w.clock.advance(0);
    expect((await w.step(n1)).message).toBe('no action. I am (n1), the leader with the lock');
  });
});
