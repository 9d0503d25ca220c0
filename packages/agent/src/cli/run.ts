/** Dispatches a parsed command line; returns the exit code (no process.exit here). */
import { parseArgs, USAGE } from './args.js';
import { cliHelp } from './help.js';
import { runGenerateConfig } from './generate-command.js';
import type { CliIo } from './io.js';
import { runValidateConfig } from './validate-command.js';
import { runVersion } from './version.js';
import { runDaemon } from '../daemon/daemon.js';

/** `--log-format plain|json` (pgwarden's, for the daemon) is taken out before Patroni's arguments are parsed. */
function takeLogFormat(argv: readonly string[]): { rest: string[]; format?: 'plain' | 'json'; error?: string } {
  const rest: string[] = [];
  let format: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--log-format') format = argv[++i] ?? '';
    else if (arg.startsWith('--log-format=')) format = arg.slice('--log-format='.length);
    else rest.push(arg);
  }
  if (format === undefined) return { rest };
  if (format !== 'plain' && format !== 'json') return { rest, error: `argument --log-format: invalid choice: '${format}' (choose from 'plain', 'json')` };
  return { rest, format };
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const log = takeLogFormat(argv);
  if (log.error) {
    io.stderr(`${USAGE}\npgwarden: error: ${log.error}\n`);
    return 2;
  }
  const command = parseArgs(log.rest);
  switch (command.kind) {
    case 'help':
      io.stdout(cliHelp());
      return 0;
    case 'usage-error':
      io.stderr(`${USAGE}\npgwarden: error: ${command.message}\n`);
      return 2;
    case 'version':
      return runVersion(io);
    case 'validate-config':
      return runValidateConfig(command.configPath, io, {
        ...(command.print && { print: true }),
        ...(command.ignoreListenPort && { ignoreListenPort: true }),
      });
    case 'generate-config':
      return runGenerateConfig(command, io);
    case 'run':
      return runDaemon({ ...(command.configPath !== undefined && { configPath: command.configPath }), ...(log.format && { logFormat: log.format }), io });
  }
}
