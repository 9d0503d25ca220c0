import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import type { KitContext } from '../context.js';
import type { KitMember } from '../harness.js';
import { expectHeld, load, now, sleep, waitFor } from '../harness.js';
import type { DcsWatchEvent } from '../../dcs/adapter.js';

/** Scheduling and clock slack allowed past a call's deadline. */
const DEADLINE_TOLERANCE_MS = 500;

/**
 * Every verb, as the HA loop would call it while the DCS cannot answer. Each must come
 * back `unavailable` within retry_timeout: a loop that hangs here keeps a primary
 * running past its lock.
 */
function everyVerb(m: KitMember): Record<string, () => Promise<{ kind: string }>> {
  return {
    loadCluster: () => m.dcs.loadCluster(),
    loadClusterLinearizable: () => m.dcs.loadCluster({ linearizable: true }),
    acquireLeader: () => m.dcs.acquireLeader(),
    refreshLeader: () => m.dcs.refreshLeader(null),
    releaseLeader: () => m.dcs.releaseLeader(),
    takeLeader: () => m.dcs.takeLeader(),
    touchMember: () => m.dcs.touchMember({ state: 'running', xlog_location: 7 }),
    initialize: () => m.dcs.initialize({ createNew: true }),
    cancelInitialization: () => m.dcs.cancelInitialization(),
    writeConfig: () => m.dcs.writeConfig({ ttl: 30 }),
    writeFailover: () => m.dcs.writeFailover({ candidate: 'b' }),
    writeSync: () => m.dcs.writeSync('a', ['b']),
    deleteSync: () => m.dcs.deleteSync(),
    writeStatus: () => m.dcs.writeStatus({ lastLsn: 99, slots: null }, { force: true }),
    writeHistory: () => m.dcs.writeHistory([]),
    writeFailsafe: () => m.dcs.writeFailsafe({ a: 'http://x/patroni', z: String(now()) }),
    deleteCluster: () => m.dcs.deleteCluster(),
  };
}

async function expectAllUnavailable(kit: KitContext, m: KitMember): Promise<void> {
  const budget = kit.settings.retryTimeoutSeconds * 1000 + DEADLINE_TOLERANCE_MS;
  const results = await Promise.all(
    Object.entries(everyVerb(m)).map(async ([verb, call]) => {
      const start = now();
      const outcome = await call();
      return { verb, kind: outcome.kind, elapsed: now() - start };
    }),
  );
  for (const r of results) {
    expect(r.kind, `${r.verb} while the DCS is out`).toBe('unavailable');
    expect(r.elapsed, `${r.verb} took ${Math.round(r.elapsed)} ms`).toBeLessThanOrEqual(budget);
  }
}

async function expectRecovery(m: KitMember): Promise<void> {
  await waitFor('the DCS to answer again', async () => ((await m.dcs.loadCluster()).kind === 'loaded' ? true : undefined), 30_000, 200);
  await waitFor('writes to succeed again', async () => ((await m.dcs.writeConfig({ ttl: 30 })).kind === 'written' ? true : undefined), 30_000, 200);
  expect((await load(m)).config?.data).toEqual({ ttl: 30 });
}

export function outageGroup(kit: KitContext, test: KitTest): void {
  test('outage.stopped', 'answers every call with unavailable within its deadline while the server is stopped', async () => {
    const a = await kit.cluster('stopped').member('a');
    expectHeld(await a.dcs.acquireLeader());
    await kit.target().server.stop();
    try {
      await expectAllUnavailable(kit, a);
    } finally {
      await kit.target().server.start();
    }
    await expectRecovery(a);
  });

  test('outage.frozen', 'answers every call with unavailable within its deadline while the server is frozen', async () => {
    const a = await kit.cluster('frozen').member('a');
    expectHeld(await a.dcs.acquireLeader());
    await kit.target().server.freeze();
    try {
      await expectAllUnavailable(kit, a);
    } finally {
      await kit.target().server.thaw();
    }
    await expectRecovery(a);
  });

  test('outage.cached-read-bound', 'stops serving reads within half a TTL and retry_timeout of the server freezing', async () => {
    const cluster = kit.cluster('cached-read');
    const a = await cluster.member('a');
    expect((await a.dcs.touchMember({ state: 'running' })).kind).toBe('written');
    // A replica's steady state: reads answered, possibly from a watch-maintained copy.
    await waitFor('a read showing our member key', async () => ((await load(a, false)).members.some((m) => m.name === 'a') ? true : undefined), 10_000, 50);
    await kit.target().server.freeze();
    try {
      const frozenAt = now();
      const bound = (kit.settings.ttlSeconds * 1000) / 2 + kit.settings.retryTimeoutSeconds * 1000 + DEADLINE_TOLERANCE_MS;
      for (;;) {
        const outcome = await a.dcs.loadCluster();
        if (outcome.kind === 'unavailable') break;
        const elapsed = now() - frozenAt;
        expect(elapsed, `a read still answered ${Math.round(elapsed)} ms into the freeze`).toBeLessThanOrEqual(bound);
        await sleep(50);
      }
      expect(now() - frozenAt).toBeLessThanOrEqual(bound);
    } finally {
      await kit.target().server.thaw();
    }
    await expectRecovery(a);
  });

  test('outage.watch-resumes', 'keeps a watch working across a server restart', async () => {
    const cluster = kit.cluster('watch-restart');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    const events: DcsWatchEvent[] = [];
    const stop = b.dcs.onChange((event) => events.push(event));
    try {
      await sleep(300);
      await kit.target().server.stop();
      try {
        // The watcher's own loop keeps calling while the server is gone.
        expect((await b.dcs.loadCluster()).kind).toBe('unavailable');
        await sleep(1000);
      } finally {
        await kit.target().server.start();
      }
      await expectRecovery(a);
      // expectRecovery wrote config; keep writing until the re-established watch reports it.
      await waitFor(
        'a config event after the restart',
        async () => {
          if (events.some((e) => e.key === 'config')) return true;
          await a.dcs.writeConfig({ ttl: 30 + (events.length % 5) });
          return undefined;
        },
        20_000,
        500,
      );
    } finally {
      stop();
    }
  });
}
