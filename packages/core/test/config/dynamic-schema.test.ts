import { describe, expect, it } from 'vitest';
import { validateDynamicConfig, defaultDynamicSettings, DYNAMIC_DEFAULTS } from '../../src/config/dynamic-schema.js';
import { defaultDynamicParameters } from '../../src/config/pg-cmdline-options.js';
import type { DynamicConfig } from '../../src/config/dynamic.js';

const paths = (data: unknown, prefix?: string): string[] =>
  validateDynamicConfig(data, prefix === undefined ? {} : { pathPrefix: prefix }).issues.map((i) => i.path);

describe('validateDynamicConfig: defaults', () => {
  it('gives Patroni defaults for an empty, null or absent document', () => {
    for (const data of [{}, null, undefined]) {
      const { config, issues, adjustments } = validateDynamicConfig(data);
      expect(issues).toEqual([]);
      expect(adjustments).toEqual([]);
      expect(config.timing).toMatchObject({ ttl: 30, loopWait: 10, retryTimeout: 10 });
      expect(config).toMatchObject({
        maximumLagOnFailover: 1048576,
        maximumLagOnSyncnode: -1,
        maxTimelinesHistory: 0,
        primaryStartTimeout: 300,
        primaryStopTimeout: 0,
        synchronousMode: false,
        synchronousModeStrict: false,
        synchronousNodeCount: 1,
        failsafeMode: false,
        checkTimeline: false,
        pause: false,
        useSlots: true,
        usePgRewind: false,
        permanentSlots: [],
        ignoreSlots: [],
        standbyCluster: null,
        parameters: {},
      });
    }
    expect(DYNAMIC_DEFAULTS.primaryStartTimeout).toBe(300);
  });

  it('is a superset of the HA engine reader (config/dynamic.ts) so the two can merge', () => {
    // Compile-time check: every field the engine reads exists here with a compatible type.
    const engineView: Omit<DynamicConfig, 'permanentSlots' | 'ignoreSlots' | 'standbyCluster' | 'parameters'> = defaultDynamicSettings();
    expect(engineView.timing.ttl).toBe(30);
  });

  it('keeps the Patroni parameter defaults apart (effective config adds them)', () => {
    expect(defaultDynamicParameters()).toEqual({
      wal_level: 'hot_standby',
      hot_standby: 'on',
      max_connections: 100,
      max_wal_senders: 10,
      max_prepared_transactions: 0,
      max_locks_per_transaction: 64,
      track_commit_timestamp: 'off',
      max_replication_slots: 10,
      max_worker_processes: 8,
      wal_log_hints: 'on',
    });
  });
});

describe('validateDynamicConfig: lenient reading', () => {
  it('reads booleans as parse_bool does and integers from strings', () => {
    const { config, issues } = validateDynamicConfig({
      synchronous_mode: 'on',
      synchronous_mode_strict: 'YES',
      failsafe_mode: 1,
      pause: 'true',
      check_timeline: 'off',
      maximum_lag_on_failover: '2048',
      synchronous_node_count: '2',
      ttl: '40',
      postgresql: { use_slots: 'no', use_pg_rewind: 'on' },
    });
    expect(issues).toEqual([]);
    expect(config).toMatchObject({
      synchronousMode: true,
      synchronousModeStrict: true,
      failsafeMode: true,
      pause: true,
      checkTimeline: false,
      maximumLagOnFailover: 2048,
      synchronousNodeCount: 2,
      useSlots: false,
      usePgRewind: true,
    });
    expect(config.timing.ttl).toBe(40);
  });

  it('folds master_* onto primary_* and permanent_slots onto slots; the new name wins', () => {
    const legacy = validateDynamicConfig({ master_start_timeout: 0, master_stop_timeout: '30', permanent_slots: { s1: null } }).config;
    expect(legacy.primaryStartTimeout).toBe(0);
    expect(legacy.primaryStopTimeout).toBe(30);
    expect(legacy.permanentSlots).toEqual([{ name: 's1', type: 'physical', database: null, plugin: null }]);
    const both = validateDynamicConfig({ master_start_timeout: 5, primary_start_timeout: 7 }).config;
    expect(both.primaryStartTimeout).toBe(7);
    expect(validateDynamicConfig({ permanent_replication_slots: { s2: {} } }).config.permanentSlots[0]?.name).toBe('s2');
  });

  it('keeps the document as written, aliases included, for writing back', () => {
    const doc = { master_start_timeout: 0, custom_key: 'x' };
    expect(validateDynamicConfig(doc).config.document).toEqual(doc);
  });
});

describe('validateDynamicConfig: timing', () => {
  it('raises values below the minimums with an adjustment, not an issue', () => {
    const { config, issues, adjustments } = validateDynamicConfig({ ttl: 10, loop_wait: 0, retry_timeout: 1 });
    expect(issues).toEqual([]);
    expect(config.timing).toMatchObject({ ttl: 20, loopWait: 1, retryTimeout: 3 });
    expect(adjustments.join('\n')).toMatch(/ttl=10 is below the minimum 20/);
  });

  it('applies loop_wait + 2*retry_timeout <= ttl (normalizeTiming)', () => {
    const lowered = validateDynamicConfig({ ttl: 30, loop_wait: 10, retry_timeout: 12 });
    expect(lowered.config.timing).toMatchObject({ loopWait: 6, retryTimeout: 12 });
    const both = validateDynamicConfig({ ttl: 20, loop_wait: 5, retry_timeout: 15 });
    expect(both.config.timing).toMatchObject({ loopWait: 1, retryTimeout: 9 });
    expect(both.adjustments.some((a) => a.includes('loop_wait + 2*retry_timeout <= ttl'))).toBe(true);
  });

  it('refuses timing values that are not integers', () => {
    expect(paths({ ttl: 'thirty', loop_wait: true })).toEqual(['ttl', 'loop_wait']);
  });
});

describe('validateDynamicConfig: issues', () => {
  it('names the dotted key, with the bootstrap.dcs prefix when asked', () => {
    const { issues } = validateDynamicConfig({ synchronous_node_count: 0, maximum_lag_on_syncnode: -2 }, { pathPrefix: 'bootstrap.dcs' });
    expect(issues.map((i) => i.path)).toEqual(['bootstrap.dcs.maximum_lag_on_syncnode', 'bootstrap.dcs.synchronous_node_count']);
    expect(issues[1]).toMatchObject({ value: 0, reason: expect.stringMatching(/at least 1/) });
  });

  it('refuses words parse_bool does not know', () => {
    const { issues, config } = validateDynamicConfig({ synchronous_mode: 'maybe' });
    expect(issues).toEqual([{ path: 'synchronous_mode', value: 'maybe', reason: expect.stringMatching(/not a boolean/) }]);
    expect(config.synchronousMode).toBe(false);
  });

  it('refuses a document that is not a mapping', () => {
    expect(paths(['ttl', 30])).toEqual(['(config)']);
    expect(paths('ttl: 30', 'bootstrap.dcs')).toEqual(['bootstrap.dcs']);
  });

  it('checks command-line-only Postgres settings and keeps other parameters as written', () => {
    const { config, issues, adjustments } = validateDynamicConfig({
      postgresql: {
        parameters: { max_connections: '200', MAX_WAL_SENDERS: 2, wal_level: 'logical', wal_keep_size: '1GB', port: 5433, work_mem: '8MB' },
        data_dir: '/x',
      },
    });
    expect(config.parameters).toEqual({ max_connections: 200, wal_level: 'logical', wal_keep_size: '1GB', work_mem: '8MB' });
    expect(issues).toEqual([{ path: 'postgresql.parameters.MAX_WAL_SENDERS', value: 2, reason: expect.stringMatching(/>= 3/) }]);
    expect(adjustments).toEqual([
      'postgresql.data_dir is ignored: it belongs in the local config of each node',
      'postgresql.parameters.port is ignored: it is set from postgresql.listen in the local config',
    ]);
  });

  it('checks wal_keep_size with its MB base unit', () => {
    expect(paths({ postgresql: { parameters: { wal_keep_size: '8MB' } } })).toEqual(['postgresql.parameters.wal_keep_size']);
    expect(paths({ postgresql: { parameters: { wal_keep_size: '16MB' } } })).toEqual([]);
  });

  it('checks slots, ignore_slots and standby_cluster', () => {
    const { config, issues } = validateDynamicConfig({
      slots: { ok_logical: { type: 'logical', database: 'app', plugin: 'pgoutput' }, half: { type: 'logical' }, 'Bad-Name': null },
      ignore_slots: [{ name: 'keep' }, 'nope', {}],
      standby_cluster: { host: 'h', port: 'x', unknown: 1 },
    });
    expect(issues.map((i) => i.path)).toEqual(['slots.half', 'slots.Bad-Name', 'ignore_slots[1]', 'ignore_slots[2]', 'standby_cluster.port']);
    expect(config.permanentSlots).toEqual([{ name: 'ok_logical', type: 'logical', database: 'app', plugin: 'pgoutput' }]);
    expect(config.ignoreSlots).toEqual([{ name: 'keep' }]);
  });

  it('treats standby_cluster as active only with host, port or restore_command', () => {
    expect(validateDynamicConfig({ standby_cluster: { primary_slot_name: 's' } }).config.standbyCluster).toBeNull();
    expect(validateDynamicConfig({ standby_cluster: { restore_command: 'cp %f %p', junk: 1 } }).config.standbyCluster).toEqual({
      restore_command: 'cp %f %p',
    });
  });

  it('names list items and nested keys by their dotted path', () => {
    const { issues } = validateDynamicConfig({ standby_cluster: { host: 5 }, postgresql: { pg_hba: ['host all all 0/0 md5', 3] } });
    expect(issues.map((i) => i.path)).toEqual(['postgresql.pg_hba[1]', 'standby_cluster.host']);
  });
});
