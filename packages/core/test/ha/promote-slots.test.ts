/**
 * A promoting standby creates the physical slots of the members that will stream from it
 * before `promote`, so an agent that stalls right after the promotion does not leave the
 * replicas unable to stream from the new primary.
 */
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/index.js';
import { makeCluster, member, peer, view } from './fixtures.js';
import { run } from './helpers.js';

const unlocked = () =>
  makeCluster({ leader: null, members: [member('n1', { xlog_location: 1000 }), member('n2', { xlog_location: 1000 }), member('n3', { xlog_location: 900 })] });
const peers = [peer('n2', { walPosition: 900 }), peer('n3', { walPosition: 900 })];

describe('decide: slots before promotion', () => {
  it('the race winner creates n2 and n3 slots, without dropping anything, before promote', () => {
    const r = run(view({ cluster: unlocked(), peers, config: { postgresql: { use_slots: true } } }), ['held']);
    const i = r.actions.findIndex((a) => a.type === 'syncSlots');
    const slots = r.actions[i] as Extract<Action, { type: 'syncSlots' }>;
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(r.actions.findIndex((a) => a.type === 'promote'));
    expect(slots.desired.map((s) => s.name).sort()).toEqual(['n2', 'n3']);
    expect(slots.desired.every((s) => s.type === 'physical')).toBe(true);
    expect(slots.dropUndesired).toBe(false);
  });

  it('the race cycle drops no slot in its closing pass: it may just have created them for its promotion', () => {
    const r = run(view({ cluster: unlocked(), peers, config: { postgresql: { use_slots: true } } }), ['held']);
    const passes = r.actions.filter((a): a is Extract<Action, { type: 'syncSlots' }> => a.type === 'syncSlots');
    expect(passes.length).toBe(2);
    expect(passes.every((p) => !p.dropUndesired)).toBe(true);
  });

  it('while the promotion is under way the members keep their slots', () => {
    // The controller may still report a replica while pg_ctl promote runs: the lock decides.
    for (const role of ['promoted', 'replica'] as const) {
      const r = run(
        view({
          cluster: makeCluster({ leader: 'n1', members: [member('n1'), member('n2')], config: { postgresql: { use_slots: true } } }),
          local: 'replica',
          status: { role },
          task: { kind: 'promote', name: 'promote' } as never,
        }),
        ['held'],
      );
      const pass = r.actions.find((a): a is Extract<Action, { type: 'syncSlots' }> => a.type === 'syncSlots');
      expect(pass?.desired.map((s) => s.name), role).toEqual(['n2']);
    }
  });

  it('use_slots off: no slots before promote', () => {
    const r = run(view({ cluster: unlocked(), peers, config: { postgresql: { use_slots: false } } }), ['held']);
    const before = r.actions.slice(0, r.actions.findIndex((a) => a.type === 'promote'));
    expect(before.some((a) => a.type === 'syncSlots')).toBe(false);
  });
});
