import type { Logger } from '../../logger.js';

/**
 * Parameters Patroni always passes on the postgres command line, so that neither
 * ALTER SYSTEM nor the config file can change them (spec §3.3). Their values come from
 * the dynamic (DCS) config only; an invalid value logs a warning and falls back to the
 * default here.
 */
interface ForcedRule {
  readonly fallback: string;
  /** Returns the value to use, or null when `value` is invalid. */
  normalize(value: string): string | null;
}

const BOOL_TRUE = new Set(['on', 'true', 'yes', '1']);
const BOOL_FALSE = new Set(['off', 'false', 'no', '0']);

function intAtLeast(fallback: number, min: number): ForcedRule {
  return {
    fallback: String(fallback),
    normalize: (v) => (/^\s*-?\d+\s*$/.test(v) && Number(v) >= min ? String(Number(v)) : null),
  };
}

function bool(fallback: 'on' | 'off'): ForcedRule {
  return {
    fallback,
    normalize: (v) => {
      const s = v.trim().toLowerCase();
      if (BOOL_TRUE.has(s)) return 'on';
      if (BOOL_FALSE.has(s)) return 'off';
      return null;
    },
  };
}

export const FORCED_PARAMETERS: Readonly<Record<string, ForcedRule>> = {
  wal_level: {
    fallback: 'replica',
    // hot_standby is the pre-9.6 name of replica.
    normalize: (v) => ({ hot_standby: 'replica', replica: 'replica', logical: 'logical' })[v.trim().toLowerCase()] ?? null,
  },
  hot_standby: { fallback: 'on', normalize: (v) => (bool('on').normalize(v) === 'on' ? 'on' : null) },
  max_connections: intAtLeast(100, 25),
  max_wal_senders: intAtLeast(10, 3),
  max_prepared_transactions: intAtLeast(0, 0),
  max_locks_per_transaction: intAtLeast(64, 32),
  track_commit_timestamp: bool('off'),
  max_replication_slots: intAtLeast(10, 4),
  max_worker_processes: intAtLeast(8, 2),
  wal_log_hints: bool('on'),
};

export interface ForcedParameterIssue {
  readonly name: string;
  readonly value: string;
  readonly reason: string;
}

/**
 * The forced parameters from the dynamic config: valid values kept, invalid ones
 * replaced by the default (warned), missing ones defaulted.
 */
export function forcedParameters(
  dynamic: Readonly<Record<string, string>>,
  logger: Logger,
  issues: ForcedParameterIssue[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, rule] of Object.entries(FORCED_PARAMETERS)) {
    const given = dynamic[name];
    if (given === undefined) {
      out[name] = rule.fallback;
      continue;
    }
    const normalized = rule.normalize(given);
    if (normalized === null) {
      const reason = `invalid value ${JSON.stringify(given)}, using the default ${rule.fallback}`;
      issues.push({ name, value: given, reason });
      logger.warn(`postgresql.parameters.${name}: ${reason}`);
      out[name] = rule.fallback;
    } else {
      out[name] = normalized;
    }
  }
  return out;
}

export function isForced(name: string): boolean {
  return name in FORCED_PARAMETERS || name === 'listen_addresses' || name === 'port' || name === 'cluster_name';
}

export function toGucString(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}
