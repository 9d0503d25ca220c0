/**
 * The keys of Patroni 4.1's dynamic configuration reference (docs/dynamic_configuration.rst):
 * what `bootstrap.dcs` holds, and the DCS `/config` key after bootstrap.
 */
import { keysOf } from './build.js';
import type { PatroniKey } from './types.js';

const { used, warned, refused } = keysOf('dynamic');

export const DYNAMIC_KEYS: readonly PatroniKey[] = [
  ...used(
    'Dynamic',
    'loop_wait', 'ttl', 'retry_timeout', 'maximum_lag_on_failover', 'maximum_lag_on_syncnode', 'max_timelines_history',
    'primary_start_timeout', 'primary_stop_timeout', 'synchronous_mode', 'synchronous_mode_strict', 'synchronous_node_count',
    'failsafe_mode',
  ),
  ...used(
    'Dynamic: postgresql',
    'postgresql.use_pg_rewind', 'postgresql.use_slots', 'postgresql.recovery_conf', 'postgresql.parameters', 'postgresql.pg_hba',
    'postgresql.pg_ident',
  ),
  ...used(
    'Dynamic: standby_cluster',
    'standby_cluster.host', 'standby_cluster.port', 'standby_cluster.primary_slot_name', 'standby_cluster.create_replica_methods',
    'standby_cluster.restore_command', 'standby_cluster.archive_cleanup_command', 'standby_cluster.recovery_min_apply_delay',
  ),
  ...used('Dynamic: slots', 'member_slots_ttl', 'slots', 'slots.*.type', 'slots.*.database', 'slots.*.plugin'),
  ...refused(
    'Dynamic: slots',
    'pgwarden creates a permanent slot in primary and standby clusters alike, and a slot nobody consumes keeps WAL until the disk fills; remove cluster_type and define the slot only in the cluster that uses it',
    'slots.*.cluster_type',
  ),
  ...used('Dynamic: ignore_slots', 'ignore_slots', 'ignore_slots.*.name', 'ignore_slots.*.type', 'ignore_slots.*.database', 'ignore_slots.*.plugin'),
];
