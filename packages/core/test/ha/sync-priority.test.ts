/** The sync_priority tag (Patroni 4.1): read beside nosync, and the candidate order it gives. */
import { describe, expect, it } from 'vitest';
import { bySyncPriority, readTags } from '../../src/index.js';
import { ledByMe, member, view } from './fixtures.js';
import { run } from './helpers.js';

describe('readTags: nosync and sync_priority', () => {
  const table: [string, Record<string, unknown>, { nosync: boolean; syncPriority: number }][] = [
    ['neither', {}, { nosync: false, syncPriority: 1 }],
    ['sync_priority 5', { sync_priority: 5 }, { nosync: false, syncPriority: 5 }],
    ['sync_priority 0 means never synchronous', { sync_priority: 0 }, { nosync: true, syncPriority: 0 }],
    ['negative sync_priority too', { sync_priority: -2 }, { nosync: true, syncPriority: -2 }],
    ['nosync: true wins and gives priority 0', { nosync: true, sync_priority: 9 }, { nosync: true, syncPriority: 0 }],
    ['nosync: false wins over sync_priority 0', { nosync: false, sync_priority: 0 }, { nosync: false, syncPriority: 0 }],
    ['written as a string', { sync_priority: '3' }, { nosync: false, syncPriority: 3 }],
  ];
  for (const [name, raw, expected] of table) {
    it(name, () => expect(readTags(raw)).toMatchObject(expected));
  }
});

describe('bySyncPriority', () => {
  const order = (rows: [string, number][]) => bySyncPriority(rows, ([, p]) => p).map(([n]) => n);
  const table: [string, [string, number][], string[]][] = [
    ['higher priority first', [['a', 1], ['b', 3], ['c', 2]], ['b', 'c', 'a']],
    ['equal priorities keep the order given (sync state, then WAL)', [['a', 1], ['b', 1], ['c', 1]], ['a', 'b', 'c']],
    ['a priority outranks the given order', [['ahead', 1], ['behind', 2]], ['behind', 'ahead']],
    ['empty', [], []],
  ];
  for (const [name, rows, expected] of table) {
    it(name, () => expect(order(rows)).toEqual(expected));
  }
});

describe('decide: sync_priority picks the synchronous standby', () => {
  // n2 is further ahead; n3 carries the tags under test. One synchronous standby is wanted.
  const rows = [
    { pid: 1, applicationName: 'n2', state: 'streaming', syncState: 'async', sentLsn: 2000, writeLsn: 2000, flushLsn: 2000, replayLsn: 2000 },
    { pid: 2, applicationName: 'n3', state: 'streaming', syncState: 'async', sentLsn: 1000, writeLsn: 1000, flushLsn: 1000, replayLsn: 1000 },
  ];
  const steps = (n3Tags: Record<string, unknown>, n2Tags: Record<string, unknown> = {}) =>
    run(
      view({
        cluster: ledByMe({
          sync: { leader: 'n1', standbys: [] },
          members: [member('n1', { role: 'primary' }), member('n2', { tags: n2Tags }), member('n3', { tags: n3Tags })],
        }),
        local: 'primary',
        config: { synchronous_mode: true },
        obs: { replication: rows, synchronousStandbyNames: '' },
        memory: { syncWatch: { names: '', lsn: 0 } },
      }),
      ['held'],
    ).steps;

  const table: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    ['no priorities: the one furthest ahead', {}, {}, 'ssn:n2'],
    ['a higher sync_priority wins over WAL position', { sync_priority: 5 }, {}, 'ssn:n3'],
    ['equal priorities: WAL position decides', { sync_priority: 3 }, { sync_priority: 3 }, 'ssn:n2'],
    ['sync_priority 0 never becomes synchronous', {}, { sync_priority: 0 }, 'ssn:n3'],
  ];
  for (const [name, n3, n2, expected] of table) {
    it(name, () => expect(steps(n3, n2)).toContain(expected));
  }
});

describe('the member key shows nosync beside sync_priority (Patroni 4.1)', () => {
  it('keeps nosync: false when sync_priority is also set, drops it otherwise', async () => {
    const { publishedTags } = await import('../../src/index.js');
    expect(publishedTags({ nosync: false, sync_priority: 3 })).toEqual({ nosync: false, sync_priority: 3 });
    expect(publishedTags({ nosync: false })).toEqual({});
  });
});
