import { describe, expect, it } from 'vitest';
import { DecodeMemo } from '../../src/dcs/codec/decode-memo.js';
import { decodeCluster, type RawEntry } from '../../src/index.js';

const entry = (key: string, value: string, version: string, session: string | null = null): RawEntry => ({ key, value, version, session });
const member = (name: string, xlog: number, version: string): RawEntry =>
  entry(`members/${name}`, JSON.stringify({ conn_url: `postgres://${name}:5432/postgres`, api_url: `http://${name}:8008/patroni`, xlog_location: xlog }), version, `lease-${name}`);

describe('decodeCluster with a DecodeMemo', () => {
  const config = entry('config', '{"ttl":30,"loop_wait":10}', '3');
  const read1 = [config, entry('leader', 'n1', '5', 'lease-n1'), member('n1', 100, '6'), member('n2', 90, '7')];

  it('gives what decoding without it gives, and reuses the frozen values of unchanged keys', () => {
    const memo = new DecodeMemo();
    const first = decodeCluster(read1, memo).cluster;
    expect(first).toEqual(decodeCluster(read1).cluster);
    const read2 = [config, entry('leader', 'n1', '5', 'lease-n1'), member('n1', 164, '8'), member('n2', 90, '7')];
    const second = decodeCluster(read2, memo).cluster;
    expect(second).toEqual(decodeCluster(read2).cluster);
    expect(second.config).toBe(first.config);
    expect(second.members[1]).toBe(first.members[1]);
    expect(Object.isFrozen(second.members[1]!.data)).toBe(true);
    // n1 changed: decoded again, with its new value.
    expect(second.members[0]).not.toBe(first.members[0]);
    expect(second.members[0]!.data.xlog_location).toBe(164);
  });

  it('decodes again when only the version or the session changed', () => {
    const memo = new DecodeMemo();
    const first = decodeCluster([member('n1', 100, '6')], memo).cluster;
    const newVersion = decodeCluster([member('n1', 100, '9')], memo).cluster;
    expect(newVersion.members[0]).not.toBe(first.members[0]);
    expect(newVersion.members[0]!.version).toBe('9');
    const newSession = decodeCluster([{ ...member('n1', 100, '9'), session: 'lease-other' }], memo).cluster;
    expect(newSession.members[0]!.session).toBe('lease-other');
  });

  it('repeats the warning of a garbage key on every read, as without the memo', () => {
    const memo = new DecodeMemo();
    const garbage = [entry('members/n3', 'not json', '4')];
    const first = decodeCluster(garbage, memo);
    const second = decodeCluster(garbage, memo);
    expect(first.warnings).toEqual(decodeCluster(garbage).warnings);
    expect(second.warnings).toEqual(first.warnings);
    expect(second.warnings[0]).toMatch(/members\/n3/);
  });

  it('keeps only the keys of the last read', () => {
    const memo = new DecodeMemo();
    const first = decodeCluster([member('n1', 100, '6'), member('n2', 90, '7')], memo).cluster;
    decodeCluster([member('n1', 100, '6')], memo); // n2 gone: forgotten
    const back = decodeCluster([member('n1', 100, '6'), member('n2', 90, '7')], memo).cluster;
    expect(back.members[0]).toBe(first.members[0]);
    expect(back.members[1]).not.toBe(first.members[1]);
    expect(back.members[1]).toEqual(first.members[1]);
  });
});
