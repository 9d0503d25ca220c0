/** `pgwarden --help`: the usage line, what the command does, then every option from the table. */
import { USAGE } from './args.js';
import { CLI_OPTIONS, type CliOption } from './options.js';
import { PATRONI_COMPATIBLE_VERSION } from './version.js';

function optionLabel(option: CliOption): string {
  return option.names.map((n) => (option.metavar && n.startsWith('--') ? `${n} ${option.metavar}` : n)).join(', ');
}

/** Two columns; a label too wide for the first column puts its help on the next line, as argparse does. */
export function formatOptionRows(rows: readonly (readonly [string, string])[], width = 28): string[] {
  const lines: string[] = [];
  for (const [label, help] of rows) {
    if (label.length + 4 > width) lines.push(`  ${label}`, `${' '.repeat(width)}${help}`);
    else lines.push(`  ${label.padEnd(width - 2)}${help}`);
  }
  return lines;
}

export function cliHelp(): string {
  return [
    USAGE,
    '',
    `Run the pgwarden agent (Patroni ${PATRONI_COMPATIBLE_VERSION} compatible) for one PostgreSQL server: it keeps the`,
    'server in the cluster described by CONFIGFILE, takes part in leader elections through the',
    'DCS and serves the REST API. SIGTERM stops it (Patroni\'s shutdown), SIGHUP reloads the',
    'configuration.',
    '',
    'positional arguments:',
    ...formatOptionRows([
      ['configfile', 'patroni.yml, or a directory of YAML files merged in name order. Without it the whole configuration comes from PGWARDEN_CONFIGURATION / PATRONI_CONFIGURATION and the PATRONI_* / PGWARDEN_* variables.'],
    ]),
    '',
    'options:',
    ...formatOptionRows(CLI_OPTIONS.map((o) => [optionLabel(o), o.help] as const)),
    '',
  ].join('\n');
}
