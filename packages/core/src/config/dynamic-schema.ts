/**
 * The schema of the dynamic configuration: what `bootstrap.dcs` holds and what the DCS
 * `/config` key holds afterwards (spec/dcs.md §2.2, spec/api.md §3.2).
 *
 * `validateDynamicConfig` reads a document the way Patroni does — legacy names
 * (`master_start_timeout`, `permanent_slots`), lenient booleans (`"on"`, `"yes"`, `1`),
 * integers written as strings — and returns typed settings plus two lists:
 * - `issues`: values that cannot be used (wrong type, out of range, a setting that
 *   postgresql.conf cannot hold, a reserved key name). Their keys take the default in
 *   `config`, but the document as a whole should be refused: see DynamicConfigTracker,
 *   which keeps the last good one, and PATCH/PUT /config, which refuse to store it.
 * - `adjustments`: values changed on purpose, as Patroni does with a warning (timing
 *   raised to its minimums or made to satisfy loop_wait + 2*retry_timeout <= ttl,
 *   settings that are ignored here).
 *
 * It never throws, whatever the value (any JSON, and any JavaScript value too):
 * test/config/dynamic-fuzz.test.ts holds it to that. See docs/dynamic-config.md for the
 * rules beyond Patroni's (setting values, reserved key names, upper bounds of seconds).
 *
 * Deliberate difference: Patroni uses a per-key default for a value it cannot read in
 * `/config` and applies the rest; pgwarden applies an edited `/config` entirely or not at
 * all, so a typo never half-applies a change (e.g. a new ttl without its loop_wait).
 */
import type { ConfigIssue } from '../errors.js';
import { normalizeTiming, type DcsTiming, type NormalizedTiming } from '../dcs/timing.js';
import { ConfigChecker, joinPath, type JsonRecord } from './checker.js';
import { secondsRule } from './dynamic-limits.js';
import { checkDynamicPostgresql } from './dynamic-parameters.js';
import { checkJsonShape } from './json-shape.js';
import { parsePatroniBool } from './patroni-values.js';
import {
  checkIgnoreSlots,
  checkMemberSlotsTtl,
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
  /** synchronous_mode is on, or `quorum` (quorum commit is a synchronous mode too). */
  readonly synchronousMode: boolean;
  /** synchronous_mode is `quorum`: ANY n synchronous_standby_names and a `quorum` in /sync (docs/quorum-commit.md). */
  readonly quorumCommit: boolean;
  readonly synchronousModeStrict: boolean;
  readonly synchronousNodeCount: number;
  readonly failsafeMode: boolean;
  readonly checkTimeline: boolean;
  readonly pause: boolean;
  readonly useSlots: boolean;
  readonly usePgRewind: boolean;
  readonly permanentSlots: readonly PermanentSlotSpec[];
  readonly ignoreSlots: readonly IgnoreSlotMatcher[];
  /** Seconds a departed member's slot is kept (Patroni 4's `member_slots_ttl`, default 1800); 0 = dropped at once. */
  readonly memberSlotsTtl: number;
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
  const has = (key: string): boolean => Object.hasOwn(out, key) && out[key] !== undefined;
  for (const [legacy, current] of Object.entries(DYNAMIC_ALIASES)) {
    if (has(legacy) && !has(current)) out[current] = out[legacy];
  }
  return out;
}

/**
 * Validates a dynamic-config document. `pathPrefix` names where it came from in issue
 * paths: `bootstrap.dcs` for patroni.yml, empty for the DCS `/config` key.
 */
export function validateDynamicConfig(data: unknown, options: { pathPrefix?: string; timingFloor?: DcsTiming } = {}): DynamicValidation {
  const prefix = options.pathPrefix ?? '';
  const checker = new ConfigChecker();
  const adjustments: string[] = [];
  const document = data === undefined || data === null ? {} : (checker.record(prefix || '(config)', data) ?? {});
  const d = resolveDynamicAliases(document);
  const at = (key: string): string => joinPath(prefix, key);
  const own = (key: string): unknown => (Object.hasOwn(d, key) ? d[key] : undefined);
  const int = (key: string, min: number, fallback: number): number => checker.int(at(key), own(key), { lenient: true, min }) ?? fallback;
  // Issues name the key as written: `master_start_timeout` when the value came from there.
  const writtenAs = (key: string): string =>
    Object.hasOwn(document, key) ? key : (Object.keys(DYNAMIC_ALIASES).find((legacy) => DYNAMIC_ALIASES[legacy] === key && Object.hasOwn(document, legacy)) ?? key);
  const seconds = (key: 'primary_start_timeout' | 'primary_stop_timeout', fallback: number): number =>
    checker.int(at(writtenAs(key)), own(key), secondsRule(key)) ?? fallback;
  const bool = (key: string): boolean => checker.bool(at(key), own(key), { lenient: true }) ?? false;

  // Values below the timing minimums are raised (with an adjustment), not refused, as
  // Patroni does; values above one day are refused (dynamic-limits.ts).
  const timing = normalizeTiming({
    ttl: checker.int(at('ttl'), own('ttl'), secondsRule('ttl')),
    loopWait: checker.int(at('loop_wait'), own('loop_wait'), secondsRule('loop_wait')),
    retryTimeout: checker.int(at('retry_timeout'), own('retry_timeout'), secondsRule('retry_timeout')),
  }, options.timingFloor);
  adjustments.push(...timing.adjustments);

  const pg = checkDynamicPostgresql(checker, at('postgresql'), own('postgresql'), adjustments);
  const config: DynamicSettings = {
    timing,
    maximumLagOnFailover: int('maximum_lag_on_failover', 0, DYNAMIC_DEFAULTS.maximumLagOnFailover),
    maximumLagOnSyncnode: int('maximum_lag_on_syncnode', -1, DYNAMIC_DEFAULTS.maximumLagOnSyncnode),
    maxTimelinesHistory: int('max_timelines_history', 0, DYNAMIC_DEFAULTS.maxTimelinesHistory),
    primaryStartTimeout: seconds('primary_start_timeout', DYNAMIC_DEFAULTS.primaryStartTimeout),
    primaryStopTimeout: seconds('primary_stop_timeout', DYNAMIC_DEFAULTS.primaryStopTimeout),
    // Read in its place among the keys, so issues keep the keys' order.
    ...synchronousModeFields(readSynchronousMode(checker, at('synchronous_mode'), own('synchronous_mode'))),
    synchronousModeStrict: bool('synchronous_mode_strict'),
    synchronousNodeCount: int('synchronous_node_count', 1, DYNAMIC_DEFAULTS.synchronousNodeCount),
    failsafeMode: bool('failsafe_mode'),
    checkTimeline: bool('check_timeline'),
    pause: bool('pause'),
    useSlots: pg.useSlots,
    usePgRewind: pg.usePgRewind,
    permanentSlots: checkPermanentSlots(checker, at('slots'), own('slots')),
    ignoreSlots: checkIgnoreSlots(checker, at('ignore_slots'), own('ignore_slots')),
    memberSlotsTtl: checkMemberSlotsTtl(checker, at('member_slots_ttl'), own('member_slots_ttl')),
    standbyCluster: checkStandbyCluster(checker, at('standby_cluster'), own('standby_cluster')),
    parameters: pg.parameters,
    pgHba: pg.pgHba,
    pgIdent: pg.pgIdent,
    recoveryConf: pg.recoveryConf,
    document,
  };
  // Last: it skips what the checks above already refused (json-shape.ts).
  checkJsonShape(checker, prefix, document);
  return { config, issues: distinct(checker.issues), adjustments };
}

/**
 * `synchronous_mode`: a boolean (read leniently, as Patroni's parse_bool) or the word
 * `quorum` in any case, which Patroni 4 writes for quorum commit.
 */
function readSynchronousMode(checker: ConfigChecker, path: string, value: unknown): 'off' | 'on' | 'quorum' {
  if (typeof value === 'string' && value.trim().toLowerCase() === 'quorum') return 'quorum';
  if (value === undefined || value === null || typeof value === 'boolean' || parsePatroniBool(value) !== null) {
    return checker.bool(path, value, { lenient: true }) ? 'on' : 'off';
  }
  checker.issue(path, value, 'is not a boolean nor quorum; use true, false or quorum');
  return 'off';
}

function synchronousModeFields(mode: 'off' | 'on' | 'quorum'): { synchronousMode: boolean; quorumCommit: boolean } {
  return { synchronousMode: mode !== 'off', quorumCommit: mode === 'quorum' };
}

/** The shape walk and a section's own check may name the same key for the same reason. */
function distinct(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The settings of an empty dynamic config: every default. */
export function defaultDynamicSettings(): DynamicSettings {
  return validateDynamicConfig({}).config;
}
