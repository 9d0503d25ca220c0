/**
 * The standby_cluster section of bootstrap.dcs and /config: every key Patroni documents
 * is accepted, and a bad value is refused with the key's path and how to fix it.
 */
import { describe, expect, it } from 'vitest';
import { validateDynamicConfig } from '../../src/config/dynamic-schema.js';

const FULL = {
  host: 'main-vip.example',
  port: 5433,
  primary_slot_name: 'dr_slot',
  create_replica_methods: ['pgbackrest', 'basebackup'],
  restore_command: 'pgbackrest --stanza=main archive-get %f %p',
  archive_cleanup_command: 'pg_archivecleanup /arch %r',
  recovery_min_apply_delay: '5min',
};

describe('standby_cluster in the dynamic configuration', () => {
  it('accepts every documented key and keeps them for the engine', () => {
    const { issues, config } = validateDynamicConfig({ standby_cluster: FULL });
    expect(issues).toEqual([]);
    expect(config.standbyCluster).toEqual(FULL);
  });

  it('accepts a port written as a string and a delay in milliseconds', () => {
    const { issues, config } = validateDynamicConfig({ standby_cluster: { host: 'h', port: '5433', recovery_min_apply_delay: 300000 } });
    expect(issues).toEqual([]);
    expect(config.standbyCluster).toMatchObject({ host: 'h', port: '5433', recovery_min_apply_delay: 300000 });
  });

  it.each([
    [{ host: 'h', primary_slot_name: 'Bad-Slot' }, 'standby_cluster.primary_slot_name', /not a valid slot name/],
    [{ host: 'h', recovery_min_apply_delay: 'soon' }, 'standby_cluster.recovery_min_apply_delay', /not a delay.*5min/],
    [{ host: 'h', port: 70000 }, 'standby_cluster.port', /65535/],
    [{ host: 'h', create_replica_methods: 'basebackup\nrm' }, 'standby_cluster.create_replica_methods', /line/],
  ])('refuses %j at %s', (section, path, reason) => {
    const { issues } = validateDynamicConfig({ standby_cluster: section });
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.reason).toMatch(reason);
  });

  it('a refused value does not leave half a standby cluster behind', () => {
    const { config } = validateDynamicConfig({ standby_cluster: { host: 'h', primary_slot_name: 'Bad-Slot' } });
    expect(config.standbyCluster).toEqual({ host: 'h' });
  });

  it('removing the section (null, as PATCH /config does) leaves a normal cluster', () => {
    expect(validateDynamicConfig({ standby_cluster: null }).config.standbyCluster).toBeNull();
  });
});
