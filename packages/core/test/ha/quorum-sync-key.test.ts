/**
 * The wire formats of quorum commit: `/sync` as Patroni 4 writes it (with `quorum`) and
 * synchronous_standby_names as `ANY n (…)`, written and read back.
 */
import { describe, expect, it } from 'vitest';
import { decodeSync } from '../../src/dcs/codec/decode.js';
import { encodeSync } from '../../src/dcs/codec/encode.js';
import { formatQuorumStandbyNames, parseStandbyNames } from '../../src/ha/decide/quorum-standby-names.js';
import { syncQuorum } from '../../src/ha/decide/quorum-sync.js';

const read = (value: string) => decodeSync({ key: 'sync', value, version: '3', session: null }).value;

describe('/sync with a quorum', () => {
  it('is written in Patroni 4\'s layout: leader, quorum, sync_standby (sorted)', () => {
    expect(encodeSync('node1', ['node3', 'node2'], {}, 1)).toBe('{"leader":"node1","quorum":1,"sync_standby":"node2,node3"}');
    expect(encodeSync('node1', [], {}, 0)).toBe('{"leader":"node1","quorum":0,"sync_standby":null}');
    // Outside quorum mode the 3.3.1 layout stays.
    expect(encodeSync('node1', ['node2'])).toBe('{"leader":"node1","sync_standby":"node2"}');
  });

  it.each<[string, number]>([
    ['{"leader":"node0","sync_standby":"node1,node2,node3","quorum":1}', 1],
    ['{"leader":"node0","sync_standby":"node1","quorum":"2"}', 2],
    ['{"leader":"node0","sync_standby":"node1"}', 0],
    ['{"sync_standby":"node1","quorum":3}', 0],
    ['{"leader":"node0","quorum":"many"}', 0],
    ['{"leader":"node0","quorum":-1}', 0],
    ['[]', 0],
  ])('reads %s as quorum %i', (value, quorum) => {
    expect(syncQuorum(read(value))).toBe(quorum);
  });

  it('keeps the voters of a Patroni 4 value', () => {
    expect(read('{"leader":"node0","sync_standby":"node1,node2,node3","quorum":1}').syncStandbys).toEqual(['node1', 'node2', 'node3']);
  });
});

describe('synchronous_standby_names in quorum mode', () => {
  it('is written ANY n (sorted, quoted when needed)', () => {
    expect(formatQuorumStandbyNames(1, ['node3', 'node2'])).toBe('ANY 1 (node2,node3)');
    expect(formatQuorumStandbyNames(2, ['a-b', 'c'])).toBe('ANY 2 ("a-b",c)');
    expect(formatQuorumStandbyNames(5, ['a', 'b'])).toBe('ANY 2 (a,b)');
    expect(formatQuorumStandbyNames(1, [])).toBeNull();
    expect(formatQuorumStandbyNames(1, ['*'])).toBe('*');
  });

  it.each<[string, { num: number; names: string[]; any: boolean }]>([
    ['ANY 1 (node2,node3)', { num: 1, names: ['node2', 'node3'], any: true }],
    ['any 2 ( "a-b" , c )', { num: 2, names: ['a-b', 'c'], any: true }],
    ['FIRST 1 (a, b)', { num: 1, names: ['a', 'b'], any: false }],
    ['2 (a,b)', { num: 2, names: ['a', 'b'], any: false }],
    ['a, b', { num: 1, names: ['a', 'b'], any: false }],
    ['node2', { num: 1, names: ['node2'], any: false }],
    ['*', { num: 1, names: ['*'], any: false }],
    ['"we""ird"', { num: 1, names: ['we"ird'], any: false }],
    ['', { num: 0, names: [], any: true }],
    ['ANY 1 (a,', { num: 0, names: [], any: true }],
  ])('reads %j', (value, expected) => {
    expect(parseStandbyNames(value)).toEqual(expected);
  });
});
