import { describe, expect, it } from 'vitest';
import { commitSatisfied, parseSyncStandbyNames, syncStates } from '../../sim/sync-rep.js';
import { appendRecord, commonPrefixLength, streamVerdict, type WalRecord } from '../../sim/wal.js';

describe('synchronous_standby_names rules', () => {
  it('parses the forms Patroni writes', () => {
    expect(parseSyncStandbyNames('')).toEqual({ kind: 'none' });
    expect(parseSyncStandbyNames('*')).toEqual({ kind: 'first', count: 1, names: '*' });
    expect(parseSyncStandbyNames('node2')).toEqual({ kind: 'first', count: 1, names: ['node2'] });
    expect(parseSyncStandbyNames('2 (node2,"node3")')).toEqual({ kind: 'first', count: 2, names: ['node2', 'node3'] });
    expect(parseSyncStandbyNames('ANY 1 (a, b)')).toEqual({ kind: 'any', count: 1, names: ['a', 'b'] });
  });

  it('FIRST waits for the highest-priority standbys, ANY for any of them', () => {
    const standbys = [
      { name: 'b', flushLsn: 100 },
      { name: 'c', flushLsn: 200 },
    ];
    const first = parseSyncStandbyNames('1 (b, c)');
    expect(commitSatisfied(first, standbys, 150)).toBe(false); // b is the sync one and lags
    expect(syncStates(first, standbys)).toEqual(new Map([['b', 'sync'], ['c', 'potential']]));
    expect(commitSatisfied(parseSyncStandbyNames('ANY 1 (b, c)'), standbys, 150)).toBe(true);
    expect(commitSatisfied(parseSyncStandbyNames('2 (b, c)'), standbys.slice(0, 1), 50)).toBe(false); // too few connected
    expect(commitSatisfied(parseSyncStandbyNames(''), [], 999)).toBe(true);
  });
});

describe('WAL records', () => {
  function history(): { base: WalRecord[]; a: WalRecord[]; b: WalRecord[] } {
    const base: WalRecord[] = [];
    appendRecord(base, 'init', { tli: 1 });
    appendRecord(base, 'commit', { commitId: 'r1' });
    const a = base.slice();
    appendRecord(a, 'commit', { commitId: 'only-on-a' });
    const b = base.slice();
    appendRecord(b, 'timeline-switch', { tli: 2, parentTli: 1, switchLsn: b[b.length - 1]!.lsn });
    appendRecord(b, 'commit', { commitId: 'r2' });
    return { base, a, b };
  }

  it('knows the common prefix by record identity', () => {
    const { base, a, b } = history();
    expect(commonPrefixLength(a, b)).toBe(base.length);
    expect(streamVerdict(base, b)).toBe('ok');
  });

  it('refuses to stream a replica that went past the switch point (needs pg_rewind)', () => {
    const { a, b } = history();
    expect(streamVerdict(a, b)).toBe('forked');
    expect(streamVerdict(b, a)).toBe('forked'); // timeline 2 is not in a's history
  });

  it('flags two histories on one timeline that Postgres would mix up', () => {
    const { base } = history();
    const x = base.slice();
    appendRecord(x, 'commit', { commitId: 'x' });
    const y = base.slice();
    appendRecord(y, 'commit', { commitId: 'y' });
    appendRecord(y, 'commit', { commitId: 'y2' });
    expect(streamVerdict(x, y)).toBe('silent-divergence');
  });
});
