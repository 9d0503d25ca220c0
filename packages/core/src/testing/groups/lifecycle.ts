import { expect } from 'vitest';
import type { DcsAdapter, DcsCallContext, DcsWatchEvent } from '../../dcs/adapter.js';
import { dcsErrorCode } from '../../errors.js';
import type { KitTest } from '../case.js';
import type { KitContext } from '../context.js';
import { expectHeld, load, now, sleep, waitFor, withTimeout } from '../harness.js';

/** Slack past a deadline for timers and the event loop, not for the backend. */
const SETTLE_TOLERANCE_MS = 1000;

/** Outcomes that mean the call reached the server and did its work. */
const SUCCESSES = ['snapshot', 'held', 'written', 'released'];

/** A call context whose signal aborts after `ms`, as core builds one. */
function contextFor(ms: number): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: now() + ms };
}

/** Every adapter verb, called directly (not through Dcs, whose own race would hide a hung call). */
function everyAdapterCall(adapter: DcsAdapter, ms: number): Record<string, () => Promise<{ kind: string }>> {
  return {
    read: () => adapter.read(contextFor(ms), { linearizable: true }),
    acquireLeader: () => adapter.acquireLeader(contextFor(ms)),
    refreshLeader: () => adapter.refreshLeader(null, contextFor(ms)),
    releaseLeader: () => adapter.releaseLeader(contextFor(ms)),
    takeLeader: () => adapter.takeLeader(contextFor(ms)),
    touchMember: () => adapter.touchMember('{"state":"running"}', contextFor(ms)),
    write: () => adapter.write('config', '{"ttl":30}', { kind: 'any' }, contextFor(ms)),
    remove: () => adapter.remove('sync', { kind: 'any' }, contextFor(ms)),
    removeCluster: () => adapter.removeCluster(contextFor(ms)),
  };
}

/** The outcome kind of a call, `threw` when it rejected. */
async function settle(call: () => Promise<{ kind: string }>): Promise<string> {
  try {
    return (await call()).kind;
  } catch {
    return 'threw';
  }
}

/** Rules an adapter gets for free from guardAdapter(): the closed flag and deadlines. */
export function lifecycleGroup(kit: KitContext, test: KitTest): void {
  test('lifecycle.closed', 'refuses every call after close() and calls no listener again', async () => {
    const cluster = kit.cluster('closed');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    const events: DcsWatchEvent[] = [];
    a.client.adapter.watch((event) => events.push(event));
    await withTimeout(a.client.adapter.close(), 5000);
    for (const [verb, call] of Object.entries(everyAdapterCall(a.client.adapter, 2000))) {
      const kind = await withTimeout(settle(call), 2000 + SETTLE_TOLERANCE_MS);
      // unavailable('closed') is the clear answer; a refresh may also say lost. Never a success.
      expect(SUCCESSES, `${verb} after close() answered ${kind}: a closed adapter still reached the server`).not.toContain(kind);
    }
    expect(() => a.client.adapter.watch(() => undefined)(), 'watch() after close() must not throw').not.toThrow();
    const seen = events.length;
    expect((await b.dcs.writeConfig({ ttl: 30 })).kind).toBe('written');
    await sleep(500);
    expect(events.slice(seen), 'a listener was called after close()').toEqual([]);
  });

  test('lifecycle.deadline', "settles every call by its context's deadline while the server does not answer", async () => {
    const a = await kit.cluster('deadline').member('a');
    expectHeld(await a.dcs.acquireLeader());
    const budgetMs = 500;
    await kit.target().server.freeze();
    try {
      const results = await Promise.all(
        Object.entries(everyAdapterCall(a.client.adapter, budgetMs)).map(async ([verb, call]) => {
          const start = now();
          const kind = await withTimeout(settle(call), budgetMs + SETTLE_TOLERANCE_MS).catch(() => 'hung');
          return { verb, kind, elapsed: now() - start };
        }),
      );
      for (const r of results) {
        expect(r.kind, `${r.verb} did not settle within ${budgetMs + SETTLE_TOLERANCE_MS} ms of a ${budgetMs} ms deadline`).not.toBe('hung');
        expect(['unavailable', 'threw'], `${r.verb} answered ${r.kind} from a frozen server`).toContain(r.kind);
      }
    } finally {
      await kit.target().server.thaw();
    }
  });

  test('lifecycle.close-ends-session', "ends the session on close(): its leader and member keys go at once, not by TTL", async () => {
    const cluster = kit.cluster('close-ends');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    expect((await a.dcs.touchMember({ state: 'running' })).kind).toBe('written');
    await withTimeout(a.client.adapter.close(), 5000);
    const closedAt = now();
    // Half the TTL: a session left to expire would still hold its keys by then.
    const withinMs = (kit.settings.ttlSeconds * 1000) / 2;
    const gone = await waitFor(
      "a's keys to go after close()",
      async () => {
        const seen = await load(b);
        if (seen.leader === null && !seen.members.some((m) => m.name === 'a')) return now();
        return now() - closedAt > withinMs ? -1 : undefined;
      },
      withinMs + 5000,
      50,
    );
    expect(gone, `a's keys were still there ${Math.round(withinMs)} ms after close()`).toBeGreaterThanOrEqual(0);
  });

  test('lifecycle.create-unreachable', 'refuses to create a client while the server is down, with a DCS error', async () => {
    const cluster = kit.cluster('unreachable');
    await kit.target().server.stop();
    try {
      const limitMs = kit.settings.retryTimeoutSeconds * 1000 + 10_000;
      const failure = await withTimeout(
        cluster.member('a').then(
          () => undefined,
          (error: unknown) => error ?? new Error('rejected without a reason'),
        ),
        limitMs,
      ).catch(() => 'hung' as const);
      expect(failure, `create() did not settle within ${limitMs} ms while the server was down`).not.toBe('hung');
      expect(failure, 'create() returned a client while the server was down').toBeDefined();
      expect(dcsErrorCode(failure), `create() failed without a DCS error code: ${String(failure)}`).toBeDefined();
    } finally {
      await kit.target().server.start();
    }
  });
}
