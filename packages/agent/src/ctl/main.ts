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
import { GLOBAL_OPTIONS } from './global-options.js';
import { asksForHelp, commandHelp, globalHelp } from './help.js';
import { consoleIo } from './io.js';
import { restClientFrom } from './rest.js';

export async function runCtl(argv: readonly string[]): Promise<number> {
  const io = consoleIo();
  try {
    const globals = parseArgs(argv, GLOBAL_OPTIONS, true);
    const [name, ...rest] = globals.rest;
    if (flagOpt(globals, 'help') || !name) {
      io.echo(globalHelp(GLOBAL_OPTIONS, COMMANDS));
      return name || flagOpt(globals, 'help') ? 0 : 2;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new CtlError(`No such command '${name}'.`);
    // Before the configuration is read: help needs no config file and no DCS.
    if (asksForHelp(rest, command.options)) {
      io.echo(commandHelp(command));
      return 0;
    }
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
