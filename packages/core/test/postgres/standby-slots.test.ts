/**
 * A standby about to be promoted creates its members' physical slots first (the engine's
 * `syncSlots` before `promote`): the controller's slot pass must work in recovery, and the
 * slots must survive the promotion with WAL reserved, so a replica can stream from the
 * new primary before its agent's first cycle as primary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, waitFor, type Node } from './helpers.js';

describe('LocalPostgresController: physical slots created on a standby, kept through promote', () => {
  let sandbox: PostgresSandbox;
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-sbslots-' });
    a = await makeNode(sandbox, 'sbs-a', {}, { use_slots: false });
    b = await makeNode(sandbox, 'sbs-b', {}, { use_slots: false });
  });

  afterAll(async () => {
    for (const n of [a, b]) {
      await n?.controller.stop('immediate', { timeoutMs: 10_000 });
      await n?.controller.close();
    }
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('creates the slot in recovery with WAL reserved, and it is there after promote', async () => {
    expect(await a.controller.bootstrap()).toEqual({ ok: true });
    expect(await a.controller.postBootstrap()).toEqual({ ok: true });
    const upstream = { name: a.name, connUrl: a.connUrl };
    expect((await b.controller.clone({ upstream })).ok).toBe(true);
    expect(await b.controller.start({ role: 'replica', upstream })).toEqual({ ok: true });
    await waitFor('b in recovery', async () => {
      const o = await b.controller.observe();
      return o.ok && o.value.inRecovery ? o.value : null;
    });
    const r = await b.controller.syncSlots({ desired: [{ name: 'sbs_c', type: 'physical' }], ignore: [], dropUndesired: false }, { timeoutMs: 10_000 });
    expect(r).toMatchObject({ ok: true, value: { created: ['sbs_c'] } });
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    expect(await b.controller.promote()).toEqual({ ok: true });
    const o = await b.controller.observe();
    if (!o.ok) throw new Error(o.message);
    const slot = o.value.slots.find((s) => s.name === 'sbs_c');
    expect(slot?.type).toBe('physical');
    expect(slot?.restartLsn).not.toBeNull();
  }, 120_000);
});
