/**
 * Dispatches a parsed command line; returns the exit code (no process.exit here).
 * Each command's code is imported when that command runs: a running agent never holds
 * the code of the generate and validate commands, and they do not load the daemon.
 */
import { parseArgs, USAGE } from './args.js';
import { cliHelp } from './help.js';
import type { CliIo } from './io.js';
import { runVersion } from './version.js';

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
    case 'validate-config': {
      const { runValidateConfig } = await import('./validate-command.js');
      return runValidateConfig(command.configPath, io, {
        ...(command.print && { print: true }),
        ...(command.ignoreListenPort && { ignoreListenPort: true }),
      });
    }
    case 'generate-config': {
      const { runGenerateConfig } = await import('./generate-command.js');
      return runGenerateConfig(command, io);
    }
    case 'run': {
      const { runDaemon } = await import('../daemon/daemon.js');
      return runDaemon({ ...(command.configPath !== undefined && { configPath: command.configPath }), ...(log.format && { logFormat: log.format }), io });
    }
  }
}
