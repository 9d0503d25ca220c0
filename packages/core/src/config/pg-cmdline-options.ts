/**
 * The Postgres settings Patroni always passes on the postmaster command line (so
 * `ALTER SYSTEM` cannot change them) and which may therefore only be set through the
 * dynamic configuration (spec/api.md §3.2, "Dynamic-only PG parameters"). A value that
 * fails its check falls back to the default; `listen_addresses`, `port` and
 * `cluster_name` come from local config and can never be set here.
 */
import { parsePatroniBool, parsePatroniInt } from './patroni-values.js';

export interface CmdlineOption {
  /** Patroni's default; null when the value comes from elsewhere (listen, scope). */
  readonly default: string | number | null;
  /** Whether `value` may be used; the reason text is for messages. */
  readonly check: (value: unknown) => boolean;
  /** What a good value looks like, for messages. */
  readonly expects: string;
  /** True when an accepted value is stored as an integer. */
  readonly integer: boolean;
  /** First server_version_num that knows the setting. */
  readonly sinceVersion: number;
}

const never = (): boolean => false;
const isBool = (value: unknown): boolean => parsePatroniBool(value) !== null;
const isTrue = (value: unknown): boolean => parsePatroniBool(value) === true;

function intAtLeast(min: number, baseUnit?: string): (value: unknown) => boolean {
  return (value) => {
    const n = parsePatroniInt(value, baseUnit);
    return n !== null && n >= min;
  };
}

function oneOf(...words: string[]): (value: unknown) => boolean {
  return (value) => typeof value === 'string' && words.includes(value.toLowerCase());
}

function option(
  defaultValue: string | number | null,
  check: (value: unknown) => boolean,
  expects: string,
  sinceVersion = 90100,
  integer = false,
): CmdlineOption {
  return { default: defaultValue, check, expects, integer, sinceVersion };
}

/** Keyed by lower-case name; look up with {@link cmdlineOption}. */
export const PG_CMDLINE_OPTIONS: Readonly<Record<string, CmdlineOption>> = {
  listen_addresses: option(null, never, 'postgresql.listen in the local config'),
  port: option(null, never, 'postgresql.listen in the local config'),
  cluster_name: option(null, never, 'scope in the local config', 90500),
  wal_level: option('hot_standby', oneOf('hot_standby', 'replica', 'logical'), 'one of hot_standby, replica, logical'),
  hot_standby: option('on', isTrue, 'on (Patroni always runs replicas as hot standbys)'),
  max_connections: option(100, intAtLeast(25), 'an integer >= 25', 90100, true),
  max_wal_senders: option(10, intAtLeast(3), 'an integer >= 3', 90100, true),
  wal_keep_segments: option(8, intAtLeast(1), 'an integer >= 1', 90100, true),
  wal_keep_size: option('128MB', intAtLeast(16, 'MB'), 'a size >= 16MB, e.g. 128MB', 130000, true),
  max_prepared_transactions: option(0, intAtLeast(0), 'an integer >= 0', 90100, true),
  max_locks_per_transaction: option(64, intAtLeast(32), 'an integer >= 32', 90100, true),
  track_commit_timestamp: option('off', isBool, 'on or off', 90500),
  max_replication_slots: option(10, intAtLeast(4), 'an integer >= 4', 90400, true),
  max_worker_processes: option(8, intAtLeast(2), 'an integer >= 2', 90400, true),
  wal_log_hints: option('on', isBool, 'on or off', 90400),
};

/**
 * Postgres setting names are case-insensitive. Own keys only: a plain lookup would
 * answer `constructor` with Object's constructor and `__proto__` with Object.prototype.
 */
export function cmdlineOption(name: string): CmdlineOption | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(PG_CMDLINE_OPTIONS, key) ? PG_CMDLINE_OPTIONS[key] : undefined;
}

/**
 * The parameter defaults Patroni's effective config starts from: every command-line
 * option with a default, except the two WAL-retention ones (only one of them applies,
 * chosen by server version when Postgres starts).
 */
export function defaultDynamicParameters(): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, opt] of Object.entries(PG_CMDLINE_OPTIONS)) {
    if (opt.default !== null && name !== 'wal_keep_segments' && name !== 'wal_keep_size') out[name] = opt.default;
  }
  return out;
}
