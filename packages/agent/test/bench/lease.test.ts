import { describe, expect, it } from 'vitest';
import { keyLeftLease } from '../../bench/lease.js';

describe('bench: when the dead leader’s key is gone', () => {
  const DEAD = '7587889183937339140';

  it('is not gone while the key still carries the dead leader’s lease', () => {
    expect(keyLeftLease({ lease: DEAD }, DEAD)).toBe(false);
  });

  it('is gone once etcd deleted the key', () => {
    expect(keyLeftLease(null, DEAD)).toBe(true);
  });

  it('is gone once a survivor re-created the key under its own lease between two polls', () => {
    expect(keyLeftLease({ lease: '7587889183937339177' }, DEAD)).toBe(true);
  });
});
