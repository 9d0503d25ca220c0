/**
 * The pure pieces that must match Patroni's output exactly: the unified diff (checked
 * against Python's own difflib), the table renderer, --dcs-url parsing, --scheduled.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseDcsUrl } from '../../src/ctl/dcs-url.js';
import { unifiedDiff } from '../../src/ctl/diff.js';
import { renderTable } from '../../src/ctl/table.js';
import { parseScheduled } from '../../src/ctl/timestamp.js';

/** difflib.unified_diff of each pair, as patronictl's show_diff calls it (one python run for all). */
function pythonDiffs(pairs: readonly (readonly [string, string])[]): string[][] {
  const script = `
import difflib, json, sys
l = lambda s: [x + '\\n' for x in s.rstrip('\\n').split('\\n')]
print(json.dumps([[x.rstrip('\\n') for x in difflib.unified_diff(l(a), l(b))] for a, b in json.load(sys.stdin)]))`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(pairs) }).toString()) as string[][];
}

describe('unifiedDiff', () => {
  const base = 'loop_wait: 10\nmaximum_lag_on_failover: 1048576\npostgresql:\n  parameters:\n    max_connections: 100\n    wal_level: replica\n  use_pg_rewind: true\n  use_slots: true\nretry_timeout: 10\nttl: 30\n';
  const cases: [string, string][] = [
    [base, base.replace('ttl: 30', 'ttl: 25')],
    [base, base.replace('loop_wait: 10\n', '')],
    [base, base.replace('    wal_level: replica\n', '    wal_level: logical\n    work_mem: 8MB\n').replace('ttl: 30', 'synchronous_mode: true\nttl: 30')],
    [base, 'ttl: 30\n'],
    ['a: 1\n', 'a: 1\nb: 2\nc: 3\n'],
  ];
  it('matches difflib on config edits', () => {
    expect(cases.map(([a, b]) => unifiedDiff(a, b))).toEqual(pythonDiffs(cases));
  });
});

describe('renderTable', () => {
  it('aligns, pads and splices the title into the top rule', () => {
    expect(renderTable(['Name', 'N'], [['a', 1], ['bbbbbb', 22]], { align: { N: 'r' }, title: ' T ' })).toBe(
      ['+ T -----+----+', '| Name   |  N |', '+--------+----+', '| a      |  1 |', '| bbbbbb | 22 |', '+--------+----+'].join('\n'),
    );
  });
  it('puts a rule between rows when a cell spans lines', () => {
    expect(renderTable(['K', 'V'], [['a', 'x\ny'], ['b', 'z']])).toBe(
      ['+---+---+', '| K | V |', '+---+---+', '| a | x |', '|   | y |', '+---+---+', '| b | z |', '+---+---+'].join('\n'),
    );
  });
});

describe('parseDcsUrl', () => {
  it('reads scheme, host, port and namespace, guessing the scheme from the port', () => {
    expect(parseDcsUrl('etcd3://10.0.0.1:2379/ns')).toEqual({ section: 'etcd3', value: { hosts: '10.0.0.1:2379' }, namespace: '/ns' });
    expect(parseDcsUrl('localhost:8500')).toEqual({ section: 'consul', value: { host: 'localhost:8500' } });
    expect(parseDcsUrl('zookeeper://zk')).toEqual({ section: 'zookeeper', value: { hosts: ['zk:2181'] } });
    expect(parseDcsUrl('redis://cache:6380')).toEqual({ section: 'redis', value: { hosts: 'cache:6380' } });
    expect(parseDcsUrl('10.0.0.2:6379')).toEqual({ section: 'redis', value: { hosts: '10.0.0.2:6379' } });
    expect(() => parseDcsUrl('memcached://x')).toThrow('Unknown dcs scheme: memcached');
  });
});

describe('parseScheduled', () => {
  it('keeps an explicit offset, treats `now` as immediate and rejects garbage', () => {
    expect(parseScheduled('now')).toBeNull();
    expect(parseScheduled('2035-01-01T10:00Z')).toBe('2035-01-01T10:00:00+00:00');
    expect(parseScheduled('2035-01-01 10:00:00+0200')).toBe('2035-01-01T10:00:00+02:00');
    expect(() => parseScheduled('tomorrow')).toThrow('Unable to parse scheduled timestamp (tomorrow)');
  });
});
