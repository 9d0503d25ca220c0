/**
 * Configuration hints on errors: what to change in patroni.yml, kept across attempts so a
 * retry that ends in a bare deadline still says what the first attempt found.
 */
import { DcsError } from '@pgwarden/core';
import { describe, expect, it } from 'vitest';
import { configHint, withEarlierHint } from '../src/errors.js';

describe('configuration hints', () => {
  const refused = 'write EPROTO 0:error:0A000412:SSL routines::sslv3 alert bad certificate:SSL alert number 42';

  it('name the etcd3 keys to set for a refused client certificate', () => {
    expect(configHint(refused, false)).toContain('etcd3.cert');
  });

  it('a later deadline without a hint of its own carries the earlier one, keeping code and transience', () => {
    const hint = configHint(refused, false);
    const deadline = new DcsError('deadline-exceeded', 'etcd range at https://127.0.0.1:1: 4 DEADLINE_EXCEEDED: Deadline exceeded after 1.2s,waiting for name resolution', { transient: true });
    const kept = withEarlierHint(deadline, hint);
    expect(kept.code).toBe('deadline-exceeded');
    expect(kept.transient).toBe(true);
    expect(kept.message).toContain('etcd3.cert');
    expect(withEarlierHint(kept, hint).message.match(/etcd3\.cert/g)).toHaveLength(kept.message.match(/etcd3\.cert/g)!.length);
  });

  it('no earlier hint leaves the failure as it is', () => {
    const failure = new DcsError('connection-failed', 'etcd range: ECONNREFUSED');
    expect(withEarlierHint(failure, null)).toBe(failure);
  });
});
