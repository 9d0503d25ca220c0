/**
 * The schema of the dynamic configuration: what `bootstrap.dcs` holds and what the DCS
 * `/config` key holds afterwards (spec/dcs.md §2.2, spec/api.md §3.2).
 *
 * `validateDynamicConfig` reads a document the way Patroni does — legacy names
 * (`master_start_timeout`, `permanent_slots`), lenient booleans (`"on"`, `"yes"`, `1`),
 * integers written as strings — and returns typed settings plus two lists:
 * - `issues`: values that cannot be used (wrong type, below a minimum). Their keys take
 *   the default in `config`, but the document as a whole should be refused: see
 *   DynamicConfigTracker, which keeps the last good one.
 * - `adjustments`: values changed on purpose, as Patroni does with a warning (timing
 *   raised to its minimums or made to satisfy loop_wait + 2*retry_timeout <= ttl,
 *   settings that are ignored here).
 *
 * Deliberate difference: Patroni uses a per-key default for a value it cannot read in
 * `/config` and applies the rest; pgwarden applies an edited `/config` entirely or not at
 * all, so a typo never half-applies a change (e.g. a new ttl without its loop_wait).
 */
import type { ConfigIssue } from '../errors.js';
import { normalizeTiming, type NormalizedTiming } from '../dcs/timing.js';
import { ConfigChecker, joinPath, type JsonRecord } from './checker.js';
import { checkDynamicPostgresql } from './dynamic-parameters.js';
import {
  checkIgnoreSlots,
  checkPermanentSlots,
  checkStandbyCluster,
  type IgnoreSlotMatcher,
  type PermanentSlotSpec,
} from './dynamic-slots.js';

export interface DynamicSettings {
  /** ttl, loop_wait, retry_timeout after Patroni's minimums and the timing rule. */
  readonly timing: NormalizedTiming;
  readonly maximumLagOnFailover: number;
  readonly maximumLagOnSyncnode: number;
  /** 0 keeps the whole history. */
  readonly maxTimelinesHistory: number;
  /** Seconds; 0 = fail over at once after a primary crash. */
  readonly primaryStartTimeout: number;
  /** Seconds; 0 = no limit. */
  readonly primaryStopTimeout: number;
  readonly synchronousMode: boolean;
  readonly synchronousModeStrict: boolean;
  readonly synchronousNodeCount: number;
  readonly failsafeMode: boolean;
  readonly checkTimeline: boolean;
  readonly pause: boolean;
  readonly useSlots: boolean;
  readonly usePgRewind: boolean;
  readonly permanentSlots: readonly PermanentSlotSpec[];
  readonly ignoreSlots: readonly IgnoreSlotMatcher[];
  /** The standby_cluster section when it makes this a standby cluster (host, port or restore_command set). */
  readonly standbyCluster: JsonRecord | null;
  /** `postgresql.parameters` as written, minus settings that cannot be used (see dynamic-parameters.ts). */
  readonly parameters: JsonRecord;
  readonly pgHba: readonly string[] | null;
  readonly pgIdent: readonly string[] | null;
  readonly recoveryConf: JsonRecord | null;
  /** The document as read (aliases not rewritten), for writing back and for unknown keys. */
  readonly document: JsonRecord;
}

export interface DynamicValidation {
  readonly config: DynamicSettings;
  readonly issues: readonly ConfigIssue[];
  readonly adjustments: readonly string[];
}

/** Defaults of the dynamic keys (spec/dcs.md §2.2); timing defaults live in dcs/timing.ts. */
export const DYNAMIC_DEFAULTS = {
  maximumLagOnFailover: 1_048_576,
  maximumLagOnSyncnode: -1,
  maxTimelinesHistory: 0,
  primaryStartTimeout: 300,
  primaryStopTimeout: 0,
  synchronousNodeCount: 1,
} as const;

/** Legacy names Patroni still reads; the new name wins when both are present. */
export const DYNAMIC_ALIASES: Readonly<Record<string, string>> = {
  master_start_timeout: 'primary_start_timeout',
  master_stop_timeout: 'primary_stop_timeout',
  permanent_slots: 'slots',
  permanent_replication_slots: 'slots',
};

/** The document with legacy names folded onto the new ones (the new name wins). */
export function resolveDynamicAliases(doc: JsonRecord): JsonRecord {
  const out: Record<string, unknown> = { ...doc };
  for (const [legacy, current] of Object.entries(DYNAMIC_ALIASES)) {
    if (out[legacy] !== undefined && out[current] === undefined) out[current] = out[legacy];
  }
  return out;
}

/**
 * Validates a dynamic-config document. `pathPrefix` names where it came from in issue
 * paths: `bootstrap.dcs` for patroni.yml, empty for the DCS `/config` key.
 */
export function validateDynamicConfig(data: unknown, options: { pathPrefix?: string } = {}): DynamicValidation {
  const prefix = options.pathPrefix ?? '';
  const checker = new ConfigChecker();
  const adjustments: string[] = [];
  const document = data === undefined || data === null ? {} : (checker.record(prefix || '(config)', data) ?? {});
  const d = resolveDynamicAliases(document);
  const at = (key: string): string => joinPath(prefix, key);
  const int = (key: string, min: number, fallback: number): number => checker.int(at(key), d[key], { lenient: true, min }) ?? fallback;
  const bool = (key: string): boolean => checker.bool(at(key), d[key], { lenient: true }) ?? false;

  // Values below the timing minimums are raised (with an adjustment), not refused, as Patroni does.
  const timing = normalizeTiming({
    ttl: checker.int(at('ttl'), d.ttl, { lenient: true }),
    loopWait: checker.int(at('loop_wait'), d.loop_wait, { lenient: true }),
    retryTimeout: checker.int(at('retry_timeout'), d.retry_timeout, { lenient: true }),
  });
  adjustments.push(...timing.adjustments);

  const pg = checkDynamicPostgresql(checker, at('postgresql'), d.postgresql, adjustments);
  const config: DynamicSettings = {
    timing,
    maximumLagOnFailover: int('maximum_lag_on_failover', 0, DYNAMIC_DEFAULTS.maximumLagOnFailover),
    maximumLagOnSyncnode: int('maximum_lag_on_syncnode', -1, DYNAMIC_DEFAULTS.maximumLagOnSyncnode),
    maxTimelinesHistory: int('max_timelines_history', 0, DYNAMIC_DEFAULTS.maxTimelinesHistory),
    primaryStartTimeout: int('primary_start_timeout', 0, DYNAMIC_DEFAULTS.primaryStartTimeout),
    primaryStopTimeout: int('primary_stop_timeout', 0, DYNAMIC_DEFAULTS.primaryStopTimeout),
    synchronousMode: bool('synchronous_mode'),
    synchronousModeStrict: bool('synchronous_mode_strict'),
    synchronousNodeCount: int('synchronous_node_count', 1, DYNAMIC_DEFAULTS.synchronousNodeCount),
    failsafeMode: bool('failsafe_mode'),
    checkTimeline: bool('check_timeline'),
    pause: bool('pause'),
    useSlots: pg.useSlots,
    usePgRewind: pg.usePgRewind,
    permanentSlots: checkPermanentSlots(checker, at('slots'), d.slots),
    ignoreSlots: checkIgnoreSlots(checker, at('ignore_slots'), d.ignore_slots),
    standbyCluster: checkStandbyCluster(checker, at('standby_cluster'), d.standby_cluster),
    parameters: pg.parameters,
    pgHba: pg.pgHba,
    pgIdent: pg.pgIdent,
    recoveryConf: pg.recoveryConf,
    document,
  };
  return { config, issues: checker.issues, adjustments };
}

/** The settings of an empty dynamic config: every default. */
export function defaultDynamicSettings(): DynamicSettings {
  return validateDynamicConfig({}).config;
}
