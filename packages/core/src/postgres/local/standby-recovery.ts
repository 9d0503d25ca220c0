/**
 * The recovery settings a standby cluster adds (spec/ha.md §1.16): its `restore_command`
 * and `archive_cleanup_command` replace recovery_conf's on every member, and the standby
 * leader, which reads from the remote cluster, also takes `recovery_min_apply_delay`.
 */
import type { StandbyRecovery } from '../upstream.js';
import type { RecoverySettings } from './config-files.js';

type RecoveryCommands = Pick<RecoverySettings, 'restore_command' | 'extra'>;

export function withStandbyRecovery(base: RecoveryCommands, standby: StandbyRecovery | null): RecoveryCommands {
  if (!standby) return base;
  const extra: Record<string, string> = { ...base.extra };
  if (standby.archiveCleanupCommand) extra['archive_cleanup_command'] = standby.archiveCleanupCommand;
  if (standby.remote && standby.recoveryMinApplyDelay) extra['recovery_min_apply_delay'] = standby.recoveryMinApplyDelay;
  return { restore_command: standby.restoreCommand || base.restore_command, extra };
}

/** Same upstream, slot and commands: nothing to rewrite. */
export function sameRecovery(a: RecoverySettings, b: RecoverySettings): boolean {
  if (a.primary_conninfo !== b.primary_conninfo || a.primary_slot_name !== b.primary_slot_name || a.restore_command !== b.restore_command) return false;
  const keys = new Set([...Object.keys(a.extra), ...Object.keys(b.extra)]);
  for (const k of keys) if (a.extra[k] !== b.extra[k]) return false;
  return true;
}
