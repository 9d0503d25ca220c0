import { describe, expect, it } from 'vitest';
import { parsePatroniInt } from '../../src/health/index.js';

describe('parsePatroniInt (Patroni parse_int)', () => {
  it.each([
    ['1', undefined, 1],
    [50, undefined, 50],
    [' 0x400 MB ', '16384kB', 64],
    ['1MB', 'kB', 1024],
    ['1000 ms', 's', 1],
    ['1TB', 'GB', null],
    ['nonsense', undefined, null],
    ['nonsense', 'kB', null],
    [0, undefined, 0],
    ['6GB', '16MB', 384],
    ['4097.4kB', 'kB', 4097],
    ['4097.5kB', 'kB', 4098],
    ['010', undefined, 8],
  ] as const)('%j in %j → %j', (value, base, expected) => {
    expect(parsePatroniInt(value, base)).toBe(expected);
  });

  it.each([
    ['1048576', 1048576],
    ['1024kB', 1048576],
    ['10MB', 10 * 1024 ** 2],
    ['1GB', 1024 ** 3],
    ['1TB', 1024 ** 4],
    ['16mb', null],
    ['16KB', null],
    ['1.5MB', 1.5 * 1024 ** 2],
  ] as const)('lag %s is %j bytes (units are case-sensitive)', (value, expected) => {
    expect(parsePatroniInt(value, 'B')).toBe(expected);
  });

  it('parses durations for the restart timeout', () => {
    expect(parsePatroniInt('2min', 's')).toBe(120);
    expect(parsePatroniInt('30', 's')).toBe(30);
    expect(parsePatroniInt('abc', 's')).toBeNull();
  });
});
