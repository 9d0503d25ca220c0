/**
 * pgwardenctl: Patroni's patronictl for pgwarden (and Patroni) clusters.
 * `pgwardenctl [-c FILE] [-d DCS_URL] [-k] [--api URL] COMMAND [ARGS…]`.
 * A CtlError prints `Error: <message>` on stderr and exits 1.
 */
import { parseArgs, flagOpt, stringOpt } from './args.js';
import { COMMANDS } from './commands/index.js';
import { loadCtlConfig } from './config.js';
import type { CommandContext } from './context.js';
import { CtlAbort, CtlError } from './errors.js';
import { consoleIo } from './io.js';
import { restClientFrom } from './rest.js';

const GLOBAL = [
  { names: ['-c', '--config-file'], value: true, key: 'config_file' },
  { names: ['-d', '--dcs-url', '--dcs'], value: true, key: 'dcs_url' },
  { names: ['-k', '--insecure'], key: 'insecure' },
  { names: ['--api'], value: true, key: 'api' },
  { names: ['-h', '--help'], key: 'help' },
];

function usage(): string {
  const lines = [
    'Usage: pgwardenctl [OPTIONS] COMMAND [ARGS]...',
    '',
    'Options:',
    '  -c, --config-file TEXT  Configuration file',
    '  -d, --dcs-url TEXT      The DCS connect url',
    '  -k, --insecure          Allow connections to SSL sites without certs',
    '  --api URL               Read the cluster from this member\'s REST API instead of the DCS',
    '  --help                  Show this message and exit.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.help}`),
  ];
  return lines.join('\n');
}

export async function runCtl(argv: readonly string[]): Promise<number> {
  const io = consoleIo();
  try {
    const globals = parseArgs(argv, GLOBAL, true);
    const [name, ...rest] = globals.rest;
    if (flagOpt(globals, 'help') || !name) {
      io.echo(usage());
      return name || flagOpt(globals, 'help') ? 0 : 2;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new CtlError(`No such command '${name}'.`);
    const configFile = stringOpt(globals, 'config_file');
    const dcsUrl = stringOpt(globals, 'dcs_url');
    const config = loadCtlConfig({
      ...(configFile !== undefined && { configFile }),
      ...(dcsUrl !== undefined && { dcsUrl }),
      insecure: flagOpt(globals, 'insecure'),
    });
    const api = stringOpt(globals, 'api');
    const ctx: CommandContext = { io, config, rest: restClientFrom(config), ...(api !== undefined && { api }) };
    await command.run(ctx, rest);
    return 0;
  } catch (error) {
    if (error instanceof CtlAbort) {
      process.stderr.write('Aborted!\n');
      return 1;
    }
    if (error instanceof CtlError) {
      process.stderr.write(`Error: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  } finally {
    io.close();
  }
}

// Exit explicitly: DCS clients may keep sockets or timers alive after close().
void runCtl(process.argv.slice(2)).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
