/**
 * Every demotion arms the divergence check, as Patroni's demote() does: a former primary
 * may hold WAL no other node has and must rewind before it can follow the next leader.
 * Regressions: the offline demotion (simulation seed 132) and the lost-lock demotion
 * (e2e: after a pause the old primary followed with a forked timeline forever) did not.
 */
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/index.js';
import { ledByMe, view } from './fixtures.js';
import { run } from './helpers.js';

function rememberedRewind(actions: readonly Action[]): unknown {
  const remember = actions.find((a): a is Extract<Action, { type: 'remember' }> => a.type === 'remember' && 'rewind' in a.patch);
  return remember?.patch.rewind;
}

describe('demotion arms the rewind check', () => {
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

  it('when the lock renewal reports another holder (immediate-nolock)', () => {
    const r = run(view({ cluster: ledByMe(), local: 'primary', config: { postgresql: { use_pg_rewind: true } } }), ['lost']);
    expect(r.leaf.reason).toBe('lock-lost-demote');
    expect(rememberedRewind(r.actions)).toBe('check');
  });
});
