/**
 * failover_priority in the leader race, as Patroni 4.1's _is_healthiest_node: a peer
 * with the same WAL position and a higher priority goes first, unless its Postgres is
 * down, it is the former leader, or synchronous mode decides who may promote.
 */
import { describe, expect, it } from 'vitest';
import type { HaView } from '../../src/index.js';
import { makeCluster, member, peer, view } from './fixtures.js';
import { run } from './helpers.js';

const unlocked = (extra: Parameters<typeof makeCluster>[0] = {}) =>
  makeCluster({ leader: null, members: [member('n1', { xlog_location: 1000 }), member('n2', { xlog_location: 1000 })], ...extra });

const WON = 'race-acquired-promote';
const LOST = 'race-not-healthiest-follow';

const rows: { name: string; view: HaView; reason: string }[] = [
  { name: 'peer has a higher priority and the same WAL: it goes first', view: view({ cluster: unlocked(), peers: [peer('n2', { failoverPriority: 5 })] }), reason: LOST },
  {
    name: 'my priority is the higher one: I go',
    view: view({ cluster: unlocked(), tags: { failover_priority: 5 }, peers: [peer('n2', { failoverPriority: 2 })] }),
    reason: WON,
  },
  { name: 'equal priorities: both may go (the lock decides)', view: view({ cluster: unlocked(), peers: [peer('n2', { failoverPriority: 1 })] }), reason: WON },
  {
    name: 'the higher-priority peer is behind: WAL wins over priority',
    view: view({ cluster: unlocked(), peers: [peer('n2', { failoverPriority: 5, walPosition: 900 })] }),
    reason: WON,
  },
  {
    name: 'the higher-priority peer has no WAL position (Postgres down): ignored',
    view: view({ cluster: unlocked(), peers: [peer('n2', { failoverPriority: 5, walPosition: 0 })] }),
    reason: WON,
  },
  {
    name: 'the higher-priority peer is the former leader: ignored',
    view: view({ cluster: unlocked(), oldCluster: makeCluster({ leader: 'n2' }), peers: [peer('n2', { failoverPriority: 5 })] }),
    reason: WON,
  },
  {
    name: 'synchronous mode: priorities do not decide among synchronous standbys',
    view: view({
      cluster: unlocked({ sync: { leader: 'n0', standbys: ['n1', 'n2'] } }),
      config: { synchronous_mode: true },
      peers: [peer('n2', { failoverPriority: 5 })],
    }),
    reason: WON,
  },
];

describe('decide: failover_priority breaks ties in the leader race', () => {
  for (const row of rows) {
    it(row.name, () => expect(run(row.view, ['held']).leaf.reason).toBe(row.reason));
  }
});
