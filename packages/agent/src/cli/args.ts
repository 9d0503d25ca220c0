/**
 * The pgwarden command line, as Patroni's:
 *   pgwarden [--validate-config | --generate-sample-config | --generate-config [--dsn DSN]] [--version] [CONFIG]
 * CONFIG is the config file or directory (for the generate commands: the file to write,
 * stdout when absent). The three modes exclude each other.
 */
import { isKnownOption } from './options.js';

export type CliCommand =
  | { readonly kind: 'run'; readonly configPath?: string }
  | { readonly kind: 'validate-config'; readonly configPath?: string; readonly print?: boolean; readonly ignoreListenPort?: boolean }
  | { readonly kind: 'generate-config'; readonly sample: boolean; readonly outputPath?: string; readonly dsn?: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

export const USAGE =
  'usage: pgwarden [-h] [--version] [--validate-config | --generate-sample-config | --generate-config] [--dsn DSN] [configfile]';

const MODES = ['--validate-config', '--generate-sample-config', '--generate-config'] as const;

export function parseArgs(argv: readonly string[]): CliCommand {
  const modes: string[] = [];
  const positional: string[] = [];
  let dsn: string | undefined;
  let version = false;
  // Flags that only --validate-config takes (Patroni 4.1's -p/--print and -i/--ignore-listen-port).
  const validateFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--version') version = true;
    else if (arg === '-p' || arg === '--print' || arg === '-i' || arg === '--ignore-listen-port') validateFlags.push(arg);
    else if ((MODES as readonly string[]).includes(arg)) modes.push(arg);
    else if (arg === '--dsn' || arg.startsWith('--dsn=')) {
      dsn = arg === '--dsn' ? argv[++i] : arg.slice('--dsn='.length);
      if (dsn === undefined) return { kind: 'usage-error', message: 'argument --dsn: expected one argument' };
    } else if (arg.startsWith('-') && arg !== '-') {
      // Every option is in the table (options.ts), which --help prints; anything else is a typo.
      return { kind: 'usage-error', message: isKnownOption(arg) ? `argument ${arg}: not allowed here` : `unrecognized arguments: ${arg}` };
    } else positional.push(arg);
  }
  if (version) return { kind: 'version' };
  if (modes.length > 1) return { kind: 'usage-error', message: `argument ${modes[1]}: not allowed with argument ${modes[0]}` };
  if (positional.length > 1) return { kind: 'usage-error', message: `unrecognized arguments: ${positional.slice(1).join(' ')}` };
  const [path] = positional;
  const at = path === undefined ? {} : { configPath: path };
  if (validateFlags.length > 0 && modes[0] !== '--validate-config') {
    return { kind: 'usage-error', message: `argument ${validateFlags[0]}: only allowed with --validate-config` };
  }
  switch (modes[0]) {
    case '--validate-config':
      return {
        kind: 'validate-config',
        ...at,
        ...(validateFlags.some((f) => f === '-p' || f === '--print') && { print: true }),
        ...(validateFlags.some((f) => f === '-i' || f === '--ignore-listen-port') && { ignoreListenPort: true }),
      };
    case '--generate-sample-config':
    case '--generate-config':
      return {
        kind: 'generate-config',
        sample: modes[0] === '--generate-sample-config',
        ...(path !== undefined && { outputPath: path }),
        ...(dsn !== undefined && { dsn }),
      };
    default:
      return { kind: 'run', ...at };
  }
}
