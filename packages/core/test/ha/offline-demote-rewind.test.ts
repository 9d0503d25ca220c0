/**
 * Regression (found by the simulation, seed 132): a primary demoted offline because the
 * DCS was unreachable may hold WAL no other node has. It must check for divergence
 * before following the next leader; it used to follow with a forked timeline forever.
 */
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/index.js';
import { ledByMe, view } from './fixtures.js';
import { run } from './helpers.js';

function rememberedRewind(actions: readonly Action[]): unknown {
  const remember = actions.find((a): a is Extract<Action, { type: 'remember' }> => a.type === 'remember' && 'rewind' in a.patch);
  return remember?.patch.rewind;
}

describe('offline demotion arms the rewind check', () => {
  it('when the DCS is unreachable at load', () => {
    const r = run(view({ cluster: 'unavailable', lastCluster: ledByMe(), local: 'primary', config: { postgresql: { use_pg_rewind: true } } }));
    expect(r.leaf.reason).toBe('dcs-unavailable-demote');
    expect(rememberedRewind(r.actions)).toBe('check');
  });

  it('when the lock renewal comes back unavailable', () => {
    const r = run(view({ cluster: ledByMe(), local: 'primary', config: { postgresql: { use_pg_rewind: true } } }), ['unavailable']);
    expect(r.leaf.reason).toBe('dcs-unavailable-demote');
    expect(rememberedRewind(r.actions)).toBe('check');
  });
});
