import { describe, expect, it } from 'vitest';
import { validateDynamicConfig } from '../../src/config/dynamic-schema.js';
import { DynamicConfigTracker } from '../../src/config/dynamic-tracker.js';
import { silentLogger } from '../../src/index.js';

describe('synchronous_mode: quorum in the dynamic config', () => {
  it.each([
    ['quorum', true, true],
    ['QUORUM', true, true],
    [' Quorum ', true, true],
    [true, true, false],
    ['on', true, false],
    ['off', false, false],
    [false, false, false],
    [undefined, false, false],
  ])('%j → synchronousMode %s, quorumCommit %s, no issue', (value, sync, quorum) => {
    const r = validateDynamicConfig(value === undefined ? {} : { synchronous_mode: value });
    expect(r.issues).toEqual([]);
    expect(r.config.synchronousMode).toBe(sync);
    expect(r.config.quorumCommit).toBe(quorum);
  });

  it('refuses other words, naming the key and the accepted values', () => {
    const r = validateDynamicConfig({ synchronous_mode: 'majority' });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.path).toBe('synchronous_mode');
    expect(r.issues[0]!.reason).toContain('quorum');
    expect(r.config.synchronousMode).toBe(false);
  });

  it('bootstrap.dcs (local config) accepts quorum too', () => {
    const r = validateDynamicConfig({ synchronous_mode: 'quorum', synchronous_node_count: 2 }, { pathPrefix: 'bootstrap.dcs' });
    expect(r.issues).toEqual([]);
    expect(r.config.quorumCommit).toBe(true);
    expect(r.config.synchronousNodeCount).toBe(2);
  });
});

describe('a /config written by Patroni 4 in quorum mode', () => {
  it('is applied whole, not refused as a bad boolean', () => {
    const tracker = new DynamicConfigTracker(silentLogger);
    const doc = { ttl: 30, loop_wait: 10, retry_timeout: 10, synchronous_mode: 'quorum', synchronous_node_count: 2, maximum_lag_on_syncnode: 1000 };
    const r = tracker.update(doc, '7');
    expect(r.kind).toBe('applied');
    expect(tracker.current.quorumCommit).toBe(true);
    expect(tracker.current.synchronousNodeCount).toBe(2);
    expect(tracker.current.maximumLagOnSyncnode).toBe(1000);
  });
});
