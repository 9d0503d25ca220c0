import { describe, expect, it } from 'vitest';
import { parsePatroniBool, parsePatroniInt, roundHalfEven } from '../../src/config/patroni-values.js';

describe('parsePatroniBool (Patroni parse_bool)', () => {
  it('reads on/true/yes/1 and off/false/no/0 in any case', () => {
    for (const word of ['on', 'ON', 'true', 'True', 'yes', 'YES', '1', 1, true]) expect(parsePatroniBool(word)).toBe(true);
    for (const word of ['off', 'Off', 'false', 'FALSE', 'no', 'No', '0', 0, false]) expect(parsePatroniBool(word)).toBe(false);
  });

  it('returns null for anything else, including words Patroni does not know', () => {
    for (const value of ['y', 'n', 't', 'f', 2, '2', '', 'maybe', null, undefined, {}, [true]]) {
      expect(parsePatroniBool(value)).toBeNull();
    }
  });
});

describe('parsePatroniInt (Patroni parse_int)', () => {
  it('reads numbers and numeric strings like strtol with base 0', () => {
    expect(parsePatroniInt(50)).toBe(50);
    expect(parsePatroniInt('51')).toBe(51);
    expect(parsePatroniInt(' 42 ')).toBe(42);
    expect(parsePatroniInt('0x400')).toBe(1024);
    expect(parsePatroniInt('010')).toBe(8);
    expect(parsePatroniInt('-1')).toBe(-1);
    expect(parsePatroniInt(0)).toBe(0);
  });

  it('rounds reals half to even, as Python round() does', () => {
    expect(parsePatroniInt('4097.4')).toBe(4097);
    expect(parsePatroniInt('4097.5')).toBe(4098);
    expect(parsePatroniInt(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
  });

  it('converts units only when a base unit is given', () => {
    expect(parsePatroniInt('1MB', 'kB')).toBe(1024);
    expect(parsePatroniInt('1000 ms', 's')).toBe(1);
    expect(parsePatroniInt('6GB', '16MB')).toBe(384);
    expect(parsePatroniInt('4097.5kB', 'kB')).toBe(4098);
    expect(parsePatroniInt('1MB')).toBeNull();
    expect(parsePatroniInt('1gB', 'MB')).toBeNull();
  });

  it('returns null for what is not a number', () => {
    for (const value of ['nonsense', '', 'abc12', null, undefined, true, {}, Number.NaN]) expect(parsePatroniInt(value)).toBeNull();
  });
});
