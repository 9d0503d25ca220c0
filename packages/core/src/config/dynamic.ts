/**
 * A typed view of the dynamic configuration kept in `/config` (spec/dcs.md §2.2,
 * spec/ha.md §4). Reading never fails: unknown keys are ignored, unreadable values take
 * Patroni's default, and legacy names (`master_start_timeout`, `permanent_slots`, …) are
 * accepted.
 */
import type { JsonObject } from '../dcs/cluster.js';
import { normalizeTiming, type NormalizedTiming } from '../dcs/timing.js';
import { isRecord, readBool, readInt } from './lenient.js';

export interface PermanentSlot {
  readonly name: string;
  readonly type: 'physical' | 'logical';
  readonly database: string | null;
  readonly plugin: string | null;
}

export interface IgnoreSlotRule {
  readonly name?: string;
  readonly type?: 'physical' | 'logical';
  readonly database?: string;
  readonly plugin?: string;
}

export interface DynamicConfig {
  /** ttl, loop_wait, retry_timeout after Patroni's minimums and the timing rule. */
  readonly timing: NormalizedTiming;
  readonly maximumLagOnFailover: number;
  readonly maximumLagOnSyncnode: number;
  readonly maxTimelinesHistory: number;
  /** Seconds; 0 = fail over at once after a primary crash. */
  readonly primaryStartTimeout: number;
  /** Seconds; 0 or less = no limit. Used in sync mode only. */
  readonly primaryStopTimeout: number;
  readonly synchronousMode: boolean;
  readonly synchronousModeStrict: boolean;
  readonly synchronousNodeCount: number;
  readonly failsafeMode: boolean;
  readonly checkTimeline: boolean;
  readonly pause: boolean;
  readonly useSlots: boolean;
  readonly usePgRewind: boolean;
  readonly permanentSlots: readonly PermanentSlot[];
  readonly ignoreSlots: readonly IgnoreSlotRule[];
  /** The `standby_cluster` section when it makes this a standby cluster (host, port or restore_command). */
  readonly standbyCluster: JsonObject | null;
  /** `postgresql.parameters`, as written. */
  readonly parameters: JsonObject;
}

export const DEFAULTS = {
  maximumLagOnFailover: 1_048_576,
  maximumLagOnSyncnode: -1,
  maxTimelinesHistory: 0,
  primaryStartTimeout: 300,
  primaryStopTimeout: 0,
  synchronousNodeCount: 1,
} as const;

/** Reads `/config` (null or garbage gives the defaults). */
export function readDynamicConfig(data: JsonObject | null | undefined): DynamicConfig {
  const d: JsonObject = data ?? {};
  const pg = isRecord(d.postgresql) ? d.postgresql : {};
  const timing = normalizeTiming({
    ttl: optionalInt(d.ttl),
    loopWait: optionalInt(d.loop_wait),
    retryTimeout: optionalInt(d.retry_timeout),
  });
  const strict = readBool(d.synchronous_mode_strict, false);
  return {
    timing,
    maximumLagOnFailover: readInt(d.maximum_lag_on_failover, DEFAULTS.maximumLagOnFailover),
    maximumLagOnSyncnode: readInt(d.maximum_lag_on_syncnode, DEFAULTS.maximumLagOnSyncnode),
    maxTimelinesHistory: readInt(d.max_timelines_history, DEFAULTS.maxTimelinesHistory),
    primaryStartTimeout: readInt(d.primary_start_timeout ?? d.master_start_timeout, DEFAULTS.primaryStartTimeout),
    primaryStopTimeout: readInt(d.primary_stop_timeout ?? d.master_stop_timeout, DEFAULTS.primaryStopTimeout),
    synchronousMode: readBool(d.synchronous_mode, false),
    synchronousModeStrict: strict,
    // Strict mode needs at least one; Patroni forces 1 for anything below.
    synchronousNodeCount: Math.max(1, readInt(d.synchronous_node_count, DEFAULTS.synchronousNodeCount)),
    failsafeMode: readBool(d.failsafe_mode, false),
    checkTimeline: readBool(d.check_timeline, false),
    pause: readBool(d.pause, false),
    useSlots: readBool(pg.use_slots, true),
    usePgRewind: readBool(pg.use_pg_rewind, false),
    permanentSlots: readPermanentSlots(d.slots ?? d.permanent_slots ?? d.permanent_replication_slots),
    ignoreSlots: readIgnoreSlots(d.ignore_slots),
    standbyCluster: readStandbyCluster(d.standby_cluster),
    parameters: isRecord(pg.parameters) ? pg.parameters : {},
  };
}

function optionalInt(value: unknown): number | undefined {
  const n = readInt(value, Number.NaN);
  return Number.isNaN(n) ? undefined : n;
}

/** `{name: {type, database, plugin}}`; a slot with a plugin or database is logical unless said otherwise. */
function readPermanentSlots(value: unknown): PermanentSlot[] {
  if (!isRecord(value)) return [];
  const out: PermanentSlot[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const spec = isRecord(raw) ? raw : {};
    const database = typeof spec.database === 'string' ? spec.database : null;
    const plugin = typeof spec.plugin === 'string' ? spec.plugin : null;
    const type = spec.type === 'logical' || (spec.type === undefined && database && plugin) ? 'logical' : 'physical';
    // A logical slot without a database or a plugin cannot be created: skip it, as Patroni does.
    if (type === 'logical' && (!database || !plugin)) continue;
    out.push({ name, type, database, plugin });
  }
  return out;
}

function readIgnoreSlots(value: unknown): IgnoreSlotRule[] {
  if (!Array.isArray(value)) return [];
  const out: IgnoreSlotRule[] = [];
  for (const raw of value) {
    if (!isRecord(raw)) continue;
    const rule: { -readonly [K in keyof IgnoreSlotRule]: IgnoreSlotRule[K] } = {};
    if (typeof raw.name === 'string') rule.name = raw.name;
    if (raw.type === 'physical' || raw.type === 'logical') rule.type = raw.type;
    if (typeof raw.database === 'string') rule.database = raw.database;
    if (typeof raw.plugin === 'string') rule.plugin = raw.plugin;
    if (Object.keys(rule).length) out.push(rule);
  }
  return out;
}

function readStandbyCluster(value: unknown): JsonObject | null {
  if (!isRecord(value)) return null;
  return value.host || value.port || value.restore_command ? value : null;
}
