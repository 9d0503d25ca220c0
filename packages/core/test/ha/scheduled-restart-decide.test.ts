/**
 * When a scheduled restart runs (Patroni's evaluate_scheduled_restart, now a decision):
 * not before its time, within loop_wait of it (the loop is asked to wake at the time),
 * once, dropped when stale (more than 1.5×loop_wait late) or when the postmaster restarted
 * since the request; not while paused, without a leader in the cluster or while a task
 * runs; its filters checked when it is due.
 */
import { describe, expect, it } from 'vitest';
import { Dcs, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom, type Action, type ScheduledRestartEntry } from '../../src/index.js';
import { buildNode } from './build-node.js';
import { FakePostgres } from './fake-postgres.js';
import { ledByMe, makeCluster, nodeConfig, view, type ViewSpec } from './fixtures.js';
import { run } from './helpers.js';

const NOW = Date.UTC(2026, 0, 1); // the fixtures' wallNow
const STARTED = 1_000;

function entry(inMs: number, extra: Partial<ScheduledRestartEntry> = {}): ScheduledRestartEntry {
  return { scheduleAt: NOW + inMs, schedule: new Date(NOW + inMs).toISOString(), postmasterStartedAt: STARTED, ...extra };
}

function cycle(e: ScheduledRestartEntry, spec: ViewSpec = {}, path: string[] = []) {
  // loop_wait 10 s; a healthy replica of n2 whose postmaster started at STARTED.
  const r = run(view({ config: { loop_wait: 10 }, obs: { postmasterStartedAt: STARTED, serverVersion: 150004 }, ...spec, memory: { scheduledRestart: e, ...spec.memory } }), path);
  const find = <T extends Action['type']>(type: T) => r.all.includes(type) ? r.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type) : [];
  return {
    restart: find('restart')[0],
    forgotten: r.actions.some((a) => a.type === 'remember' && 'scheduledRestart' in a.patch && a.patch.scheduledRestart === null),
    wakeAt: find('wakeAt')[0]?.epochMs,
    logs: find('log').map((l) => `${l.level}: ${l.message}`),
  };
}

describe('decide: scheduled restarts', () => {
  it('more than loop_wait away: waits, says so, keeps it', () => {
    const c = cycle(entry(60_000));
    expect(c).toMatchObject({ restart: undefined, forgotten: false, wakeAt: undefined });
    expect(c.logs[0]).toMatch(/^info: Awaiting restart at .* \(in 60 seconds\)$/);
  });

  it('within loop_wait: asks the loop to wake at the time', () => {
    expect(cycle(entry(4_000))).toMatchObject({ restart: undefined, forgotten: false, wakeAt: NOW + 4_000 });
  });

  it('due: forgotten and run once, as the role the node has, with its timeout', () => {
    const c = cycle(entry(0, { timeout: 30 }));
    expect(c.forgotten).toBe(true);
    expect(c.restart).toEqual({ type: 'restart', task: 'restart', role: 'replica', timeoutMs: 30_000 });
    expect(c.logs).toContain(`info: Manual scheduled restart at ${new Date(NOW).toISOString()}`);
    expect(cycle(entry(-1_000), { local: 'primary', cluster: ledByMe() }, ['held']).restart?.role).toBe('primary');
  });

  it('up to 1.5×loop_wait late still runs; later it is dropped as stale, without a restart', () => {
    expect(cycle(entry(-14_000)).restart).toBeDefined();
    const stale = cycle(entry(-16_000));
    expect(stale).toMatchObject({ restart: undefined, forgotten: true });
    expect(stale.logs[0]).toMatch(/^warn: Found a stale restart value, cleaning up/);
  });

  it('not while paused, without a leader, with Postgres not running, or during a task: it stays', () => {
    for (const spec of [
      { config: { loop_wait: 10, pause: true } },
      { cluster: makeCluster({ leader: null }) },
      { status: { state: 'starting' as const } },
      { task: { kind: 'follow', name: 'following' } as never },
    ]) {
      expect(cycle(entry(0), spec)).toMatchObject({ restart: undefined, forgotten: false });
    }
  });

  it('cancelled when the postmaster restarted after the request', () => {
    const c = cycle(entry(0), { obs: { postmasterStartedAt: STARTED + 5_000 } });
    expect(c).toMatchObject({ restart: undefined, forgotten: true });
    expect(c.logs[0]).toMatch(/^info: Cancelling scheduled restart: postgres restart has already happened at /);
  });

  it('filters are checked when it is due: unmet, it is forgotten with a warning', () => {
    for (const filter of [{ role: 'primary' as const }, { postgresVersion: '15.2' }, { restartPending: true }]) {
      const c = cycle(entry(0, filter));
      expect(c).toMatchObject({ restart: undefined, forgotten: true });
      expect(c.logs).toContain('warn: Scheduled restart: restart conditions are not satisfied');
    }
    expect(cycle(entry(0, { postgresVersion: '16.0', role: 'replica' })).restart).toBeDefined();
  });
});

describe('the loop runs a scheduled restart at its time', () => {
  it('wakes at the scheduled time rather than loop_wait later, restarts once, and forgets it', async () => {
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'sched' });
    const pg = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const dcs = new Dcs({ adapter: new MemoryDcs({ server, layout, name: 'n1', ttlSeconds: 30 }), timing: { ttl: 30, loopWait: 10, retryTimeout: 10 }, clock, random: seededRandom(1) });
    const loop = buildNode({ dcs, postgres: pg, clock, node: nodeConfig({ name: 'n1', bootstrapDcsConfig: { ttl: 30, loop_wait: 10 } }) });
    loop.start();
    for (let i = 0; i < 20; i++) await clock.advance(100);
    const at = clock.wallNow() + 4_000;
    expect(loop.scheduleRestart({ scheduleAt: at, schedule: new Date(at).toISOString(), postmasterStartedAt: null })).toBe(true);
    expect(loop.scheduleRestart({ scheduleAt: at, schedule: 'again', postmasterStartedAt: null })).toBe(false);
    for (let i = 0; i < 35; i++) await clock.advance(100);
    expect(pg.calls).not.toContain('restart:primary');
    for (let i = 0; i < 10; i++) await clock.advance(100); // 4.5 s after scheduling: well before loop_wait (10 s)
    expect(pg.calls.filter((c) => c === 'restart:primary')).toHaveLength(1);
    expect(loop.scheduledRestart()).toBeNull();
    await loop.stop();
  });
});
