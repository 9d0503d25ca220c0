/** A node that stays out of the leader race says why, as Patroni logs it. */
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/index.js';
import { makeCluster, member, peer, view } from './fixtures.js';
import { run } from './helpers.js';

const unlocked = () => makeCluster({ leader: null, members: [member('n1', { xlog_location: 1000 }), member('n2', { xlog_location: 2000 })] });

describe('decide: the reason a node does not race', () => {
  it('a peer further ahead: "Wal position of n2 is ahead of my wal position"', () => {
    const r = run(view({ cluster: unlocked(), peers: [peer('n2', { walPosition: 5000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
    const logs = r.actions.filter((a): a is Extract<Action, { type: 'log' }> => a.type === 'log');
    expect(logs).toEqual([{ type: 'log', level: 'info', message: 'Wal position of n2 is ahead of my wal position' }]);
  });

  it('the healthiest node races without such a line', () => {
    const r = run(view({ cluster: unlocked(), peers: [peer('n2', { walPosition: 500 })] }), ['held']);
    expect(r.actions.some((a) => a.type === 'log')).toBe(false);
  });
});
