/** Dispatches a parsed command line; returns the exit code (no process.exit here). */
import { parseArgs, USAGE } from './args.js';
import { runGenerateConfig } from './generate-command.js';
import type { CliIo } from './io.js';
import { runValidateConfig } from './validate-command.js';
import { runVersion } from './version.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseArgs(argv);
  switch (command.kind) {
    case 'help':
      io.stdout(`${USAGE}\n`);
      return 0;
    case 'usage-error':
      io.stderr(`${USAGE}\npgwarden: error: ${command.message}\n`);
      return 2;
    case 'version':
      return runVersion(io);
    case 'validate-config':
      return runValidateConfig(command.configPath, io);
    case 'generate-config':
      return runGenerateConfig(command, io);
    case 'run':
      io.stderr('pgwarden: starting the daemon is not implemented yet; use --validate-config to check a configuration\n');
      return 1;
  }
}
