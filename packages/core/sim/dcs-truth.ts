/**
 * What the DCS *server* holds right now, read directly (not through any agent or adapter):
 * the ground truth the invariants compare the nodes with. Decoded with core's codec, the
 * same wire format every agent reads.
 */
import { decodeStatus, decodeSync } from '../src/dcs/codec/decode.js';
import { isJsonObject, tryParseJson } from '../src/dcs/codec/json.js';
import type { JsonObject } from '../src/dcs/cluster.js';
import type { SyncState } from '../src/dcs/cluster.js';
import type { World } from './world.js';

/** Patroni's default maximum_lag_on_failover (1 MiB). */
const DEFAULT_MAXIMUM_LAG_ON_FAILOVER = 1_048_576;

/** The last `/config` parsed per world, by its modification revision (the checks read it every step). */
const parsedConfig = new WeakMap<World, { readonly revision: number | null; readonly config: JsonObject }>();

/** `/config` as JSON ({} when absent or unreadable). */
export function serverConfig(world: World): JsonObject {
  const stored = world.server.get(world.keyPaths.config);
  const revision = stored?.modRevision ?? null;
  const cached = parsedConfig.get(world);
  if (cached && cached.revision === revision) return cached.config;
  const parsed = tryParseJson(stored?.value ?? '');
  const config = isJsonObject(parsed) ? parsed : {};
  parsedConfig.set(world, { revision, config });
  return config;
}

/** `/config` exists (the bootstrapping node writes it once its cluster is initialized). */
export function configPresent(world: World): boolean {
  return world.server.get(world.keyPaths.config) !== undefined;
}

/** synchronous_mode on in `/config`. */
export function syncModeOn(world: World): boolean {
  return isOn(serverConfig(world).synchronous_mode);
}

/** synchronous_mode and synchronous_mode_strict both on in `/config`. */
export function strictModeOn(world: World): boolean {
  const c = serverConfig(world);
  return isOn(c.synchronous_mode) && isOn(c.synchronous_mode_strict);
}

/** failsafe_mode on in `/config` (a primary may then outlive its key with every member's consent). */
export function failsafeModeOn(world: World): boolean {
  return isOn(serverConfig(world).failsafe_mode);
}

export function maximumLagOnFailover(world: World): number {
  const v = serverConfig(world).maximum_lag_on_failover;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_MAXIMUM_LAG_ON_FAILOVER;
}

/** The last `/sync` and `/status` decoded per world, by modification revision (read every step). */
const decodedSync = new WeakMap<World, { readonly revision: number | null; readonly sync: SyncState }>();
const decodedStatusLsn = new WeakMap<World, { readonly revision: number | null; readonly lsn: number }>();
const NO_SYNC: SyncState = Object.freeze({ version: null, leader: null, syncStandbys: Object.freeze([]) as readonly string[], extra: Object.freeze({}) });

/** `/sync` as the server holds it (leader null when absent). */
export function serverSync(world: World): SyncState {
  const stored = world.server.get(world.keyPaths.sync);
  const revision = stored?.modRevision ?? null;
  const cached = decodedSync.get(world);
  if (cached && cached.revision === revision) return cached.sync;
  const sync = stored ? decodeSync({ key: 'sync', value: stored.value, version: String(stored.modRevision), session: stored.lease }).value : NO_SYNC;
  decodedSync.set(world, { revision, sync });
  return sync;
}

/** `/status`'s optime: the last WAL position the leader published (0 when absent). */
export function serverStatusLsn(world: World): number {
  const stored = world.server.get(world.keyPaths.status);
  const revision = stored?.modRevision ?? null;
  const cached = decodedStatusLsn.get(world);
  if (cached && cached.revision === revision) return cached.lsn;
  const lsn = stored ? decodeStatus(stored.value).value.lastLsn : 0;
  decodedStatusLsn.set(world, { revision, lsn });
  return lsn;
}

function isOn(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['on', 'true', 'yes', '1'].includes(v.toLowerCase()));
}
