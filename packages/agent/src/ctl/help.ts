/**
 * `pgwardenctl --help` and `pgwardenctl COMMAND --help`, in click's layout, printed from
 * the option tables the parser uses — so every option that parses is described.
 */
import type { OptionSpec } from './args.js';
import type { Command } from './context.js';

export const HELP_NAMES = ['-h', '--help'] as const;

function label(spec: OptionSpec): string {
  const names = spec.names.join(', ');
  return spec.value ? `${names} ${spec.metavar ?? 'TEXT'}` : names;
}

/** click's two columns: labels padded to a common width, a long label gets its help on the next line. */
function optionRows(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.min(32, Math.max(...rows.map(([l]) => l.length)) + 2);
  return rows.map(([l, help]) => (l.length > width ? `  ${l}\n  ${' '.repeat(width)}${help}` : `  ${l.padEnd(width)}${help}`));
}

const HELP_ROW = ['-h, --help', 'Show this message and exit.'] as const;

export function globalHelp(globals: readonly OptionSpec[], commands: readonly Command[]): string {
  const options = globals.filter((g) => !g.names.some((n) => (HELP_NAMES as readonly string[]).includes(n)));
  return [
    'Usage: pgwardenctl [OPTIONS] COMMAND [ARGS]...',
    '',
    '  Command-line interface for pgwarden and Patroni clusters (patronictl\'s commands).',
    '  `pgwardenctl COMMAND --help` describes one command.',
    '',
    'Options:',
    ...optionRows([...options.map((o) => [label(o), o.help] as const), HELP_ROW]),
    '',
    'Commands:',
    ...optionRows(commands.map((c) => [c.name, c.help] as const)),
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: pgwardenctl ${command.name} [OPTIONS]${command.usage ? ` ${command.usage}` : ''}`,
    '',
    `  ${command.help}`,
    '',
    'Options:',
    ...optionRows([...command.options.map((o) => [label(o), o.help] as const), HELP_ROW]),
  ].join('\n');
}

/** Whether `--help` (or `-h`) appears among a command's options: values of its options and anything after `--` do not count. */
export function asksForHelp(argv: readonly string[], specs: readonly OptionSpec[]): boolean {
  const byName = new Map(specs.flatMap((s) => s.names.map((n) => [n, s] as const)));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return false;
    if (byName.has(arg)) {
      if (byName.get(arg)!.value) i++;
      continue;
    }
    if ((HELP_NAMES as readonly string[]).includes(arg)) return true;
  }
  return false;
}
