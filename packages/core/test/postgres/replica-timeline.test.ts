/**
 * Regression (found by the demo): while a replica's WAL receiver was down, observe()
 * fell back to the last restartpoint's timeline, so a replica that had crossed to
 * timeline 2 published `timeline: 1` in its member key until its next restartpoint
 * (seen during every switchover: the old primary stops, the replicas lose their
 * upstream). The controller now never reports less than what its receiver has reported,
 * and a postmaster whose receiver never reported asks the standby (IDENTIFY_SYSTEM).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, waitFor, type Node } from './helpers.js';

const DYNAMIC = { shared_buffers: '16MB' };

describe('LocalPostgresController after a promotion: history file, and a replica without upstream', () => {
  let sandbox: PostgresSandbox;
  let a: Node;
  let b: Node;
  let c: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-tli-' });
    a = await makeNode(sandbox, 'tli-a', DYNAMIC, { use_slots: false });
    b = await makeNode(sandbox, 'tli-b', DYNAMIC, { use_slots: false });
    c = await makeNode(sandbox, 'tli-c', DYNAMIC, { use_slots: false });
  });

  afterAll(async () => {
    for (const n of [a, b, c]) {
      await n?.controller.stop('immediate', { timeoutMs: 10_000 });
      await n?.controller.close();
    }
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  const streaming = (n: Node, timeline: number) => async () => {
    const o = await n.controller.observe();
    return o.ok && o.value.walReceiver?.status === 'streaming' && o.value.walReceiver.receivedTimeline === timeline ? o.value : null;
  };

  it('keeps reporting the timeline it replayed after its upstream stops', async () => {
    expect(await a.controller.bootstrap()).toEqual({ ok: true });
    expect(await a.controller.postBootstrap()).toEqual({ ok: true });
    const upstreamA = { name: a.name, connUrl: a.connUrl };
    for (const n of [b, c]) {
      expect((await n.controller.clone({ upstream: upstreamA })).ok).toBe(true);
      expect(await n.controller.start({ role: 'replica', upstream: upstreamA })).toEqual({ ok: true });
      await waitFor(`${n.name} streaming from ${a.name}`, streaming(n, 1));
    }

    // a goes away, b is promoted onto timeline 2, c follows b across the switch.
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    expect(await b.controller.promote()).toEqual({ ok: true });
    // b's history file says where timeline 1 ended (what the engine publishes in /history).
    const history = await b.controller.readTimelineHistory(2);
    if (!history.ok) throw new Error(history.message);
    expect(history.value).toHaveLength(1);
    expect(history.value[0]![0]).toBe(1);
    expect(history.value[0]![1]).toBeGreaterThan(0);
    expect((await c.controller.follow({ upstream: { name: b.name, connUrl: b.connUrl } })).ok).toBe(true);
    const onTwo = await waitFor(`${c.name} streaming timeline 2 from ${b.name}`, streaming(c, 2), 30_000);
    expect(onTwo.timeline).toBe(2);
    // The situation of the bug: no restartpoint on timeline 2 yet.
    expect(onTwo.checkpointTimeline).toBe(1);

    // b stops: c's WAL receiver goes down, its timeline must stay 2.
    expect(await b.controller.stop('immediate')).toEqual({ ok: true });
    const orphan = await waitFor(`${c.name}'s WAL receiver gone`, async () => {
      const o = await c.controller.observe();
      return o.ok && o.value.walReceiver?.status !== 'streaming' ? o.value : null;
    });
    expect(orphan.inRecovery).toBe(true);
    expect(orphan.timeline).toBe(2);
  });

  it('a restarted replica whose receiver never ran reports the timeline it replayed, not the restartpoint\'s', async () => {
    // Crash-stop (no shutdown restartpoint), start with its upstream still down: the new
    // postmaster's receiver never reports, and the last restartpoint is still on timeline 1.
    expect(await c.controller.stop('immediate')).toEqual({ ok: true });
    expect(await c.controller.start({ role: 'replica', upstream: { name: b.name, connUrl: b.connUrl } })).toEqual({ ok: true });
    const restarted = await waitFor(`${c.name} answering in recovery`, async () => {
      const o = await c.controller.observe();
      return o.ok && o.value.inRecovery ? o.value : null;
    });
    expect(restarted.walReceiver?.receivedTimeline ?? null).toBeNull();
    expect(restarted.checkpointTimeline).toBe(1);
    expect(restarted.timeline).toBe(2);
  });
});
