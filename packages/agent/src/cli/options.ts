/**
 * Every option `pgwarden` accepts, with its help text. The parser (args.ts, run.ts)
 * recognises exactly these spellings and `--help` is printed from this table, so a new
 * option cannot be added without saying what it does.
 */
export interface CliOption {
  /** Every spelling, short first. */
  readonly names: readonly string[];
  /** The value's placeholder, for options that take one. */
  readonly metavar?: string;
  readonly help: string;
}

export const CLI_OPTIONS: readonly CliOption[] = [
  { names: ['-h', '--help'], help: 'Show this help and exit.' },
  { names: ['--version'], help: 'Print the pgwarden version and the Patroni release it is compatible with, and exit.' },
  {
    names: ['--validate-config'],
    help: 'Check CONFIGFILE (or the environment) against the schema and the host — addresses, bin_dir, data_dir — print every problem with its key, exit 1 if any; starts nothing.',
  },
  { names: ['--generate-sample-config'], help: 'Write a commented sample patroni.yml to CONFIGFILE, or to stdout when none is given, and exit.' },
  {
    names: ['--generate-config'],
    help: "Write a patroni.yml describing the PostgreSQL server that is already running (read through --dsn) to CONFIGFILE or stdout, and exit.",
  },
  {
    names: ['-p', '--print'],
    help: 'With --validate-config: once the config is valid, print it as loaded (file plus environment) as YAML, secrets masked.',
  },
  {
    names: ['-i', '--ignore-listen-port'],
    help: 'With --validate-config: do not fail when the restapi.listen or postgresql.listen port is already in use (e.g. on a running node).',
  },
  { names: ['--dsn'], metavar: 'DSN', help: 'With --generate-config: the libpq connection string of the running server (default: the PG* environment).' },
  { names: ['--log-format'], metavar: 'plain|json', help: "Log lines as Patroni's plain text (default) or one JSON object per line; overrides log.type." },
];

/** True when `arg` (possibly `--name=value`) is one of the table's spellings. */
export function isKnownOption(arg: string): boolean {
  const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
  return CLI_OPTIONS.some((o) => o.names.includes(name));
}
