/** The small parsers behind the write endpoints and `restapi.listen`. */
import { describe, expect, it } from 'vitest';
import { deepCompare, patchConfig } from '../../src/api/config-patch.js';
import { parseListen } from '../../src/api/listen.js';
import { checkPostgresVersion } from '../../src/api/restart-request.js';
import { parseSchedule } from '../../src/api/schedule.js';

const NOW = Date.UTC(2024, 5, 17, 10, 0, 0);

describe('parseSchedule', () => {
  it.each([
    ['2024-06-17T12:30:00+02:00', Date.UTC(2024, 5, 17, 10, 30), '2024-06-17T12:30:00+02:00'],
    ['2024-06-17 10:30Z', Date.UTC(2024, 5, 17, 10, 30), '2024-06-17T10:30:00+00:00'],
    ['2024-06-17T10:30:00.5-0100', Date.UTC(2024, 5, 17, 11, 30, 0, 500), '2024-06-17T10:30:00.500000-01:00'],
  ])('%s', (text, epochMs, iso) => {
    expect(parseSchedule(text, 'restart', NOW)).toEqual({ ok: true, epochMs, iso });
  });

  it('demands a timezone, a future time and a real date', () => {
    expect(parseSchedule('2024-06-18T10:00:00', 'switchover', NOW)).toMatchObject({ ok: false, status: 400, message: 'Timezone information is mandatory for the scheduled switchover' });
    expect(parseSchedule('2024-06-17T09:59:59Z', 'restart', NOW)).toMatchObject({ ok: false, status: 422, message: 'Cannot schedule restart in the past' });
    expect(parseSchedule('2024-02-31T10:00:00Z', 'restart', NOW)).toMatchObject({ ok: false, status: 422 });
    expect(parseSchedule(12345, 'restart', NOW)).toMatchObject({ ok: false, status: 422 });
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8008', { host: '127.0.0.1', port: 8008 }],
    ['*:8008', { host: undefined, port: 8008 }],
    [':8008', { host: undefined, port: 8008 }],
    ['[::1]:8008', { host: '::1', port: 8008 }],
    ['::1:8008', { host: '::1', port: 8008 }],
  ])('%s', (listen, expected) => {
    expect(parseListen(listen)).toEqual(expected);
  });

  it("rejects a value without a port with Patroni's message", () => {
    expect(() => parseListen('localhost')).toThrow('Invalid "restapi" config: expected <HOST>:<PORT> for "listen", but got "localhost"');
    expect(() => parseListen('localhost:http')).toThrow(/expected <HOST>:<PORT>/);
  });
});

describe('checkPostgresVersion', () => {
  it.each([
    ['15.4', null],
    ['9.6.24', null],
    ['10', 'Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 10'],
    ['9.6', 'Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 9.6'],
    ['1.2.3.4', 'Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 1.2.3.4'],
    ['15.x', 'Invalid PostgreSQL version: 15.x'],
  ])('%s', (version, problem) => {
    expect(checkPostgresVersion(version)).toBe(problem);
  });
});

describe('patchConfig and deepCompare', () => {
  it('merges objects, deletes on null, replaces scalars only when str() differs', () => {
    const target: Record<string, unknown> = { a: 1, b: { c: true, d: 'x' }, e: 'keep' };
    expect(patchConfig(target, { a: '1', b: { c: 'True' } })).toBe(false);
    expect(patchConfig(target, { b: { d: null, f: [1] }, e: null, g: 2 })).toBe(true);
    expect(target).toEqual({ a: 1, b: { c: true, f: [1] }, g: 2 });
    expect(patchConfig(target, { missing: null })).toBe(false);
  });

  it('compares keys exactly and leaves by str()', () => {
    expect(deepCompare({ a: 1, b: { c: 'True' } }, { a: '1', b: { c: true } })).toBe(true);
    expect(deepCompare({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepCompare({ a: {} }, { a: null })).toBe(false);
    expect(deepCompare({ a: [1] }, { a: [2] })).toBe(false);
  });
});
