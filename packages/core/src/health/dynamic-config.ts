/**
 * The few dynamic-config switches the REST API reads (Patroni's `global_config`):
 * booleans accept `on/true/yes/1` in any case, as Patroni's `parse_bool` does.
 */
import type { Cluster, JsonObject } from '../dcs/cluster.js';
import { pythonStr } from './python-str.js';

export function parsePatroniBool(value: unknown): boolean | null {
  const text = pythonStr(value).toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(text)) return true;
  if (['off', 'false', 'no', '0'].includes(text)) return false;
  return null;
}

function mode(config: JsonObject | null | undefined, key: string): boolean {
  return parsePatroniBool(config?.[key]) === true;
}

export function configIsPaused(config: JsonObject | null | undefined): boolean {
  return mode(config, 'pause');
}

export function configIsFailsafeMode(config: JsonObject | null | undefined): boolean {
  return mode(config, 'failsafe_mode');
}

/** A `standby_cluster` section counts only with a host, a port or a restore_command. */
export function configIsStandbyCluster(config: JsonObject | null | undefined): boolean {
  const section = config?.['standby_cluster'];
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return false;
  const s = section as JsonObject;
  return Boolean(s['host'] || s['port'] || s['restore_command']);
}

/** `synchronous_mode: quorum` (Patroni 4's quorum commit), in any case. */
function quorumWord(config: JsonObject | null | undefined): boolean {
  const value = config?.['synchronous_mode'];
  return typeof value === 'string' && value.trim().toLowerCase() === 'quorum';
}

/** Synchronous mode (on, or quorum) never applies to a standby cluster. */
export function configIsSynchronousMode(config: JsonObject | null | undefined): boolean {
  return (mode(config, 'synchronous_mode') || quorumWord(config)) && !configIsStandbyCluster(config);
}

/** Quorum commit: `synchronous_mode: quorum`, outside a standby cluster. */
export function configIsQuorumCommit(config: JsonObject | null | undefined): boolean {
  return quorumWord(config) && !configIsStandbyCluster(config);
}

/** Whether `name` is listed in the `sync` key; compared case-insensitively, as Postgres does. */
export function syncMatches(cluster: Cluster, name: string | null | undefined): boolean {
  if (!name || !cluster.sync.leader) return false;
  const lower = name.toLowerCase();
  return cluster.sync.syncStandbys.some((s) => s.toLowerCase() === lower);
}
