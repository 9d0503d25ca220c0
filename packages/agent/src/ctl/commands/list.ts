/** `list [CLUSTER…] [-e] [-t] [-f FORMAT] [-W | -w N]` and `topology`: the member table. */
import { choiceOpt, flagOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { FORMAT_OPTION, WATCH_OPTIONS } from '../common-options.js';
import { withCluster, type Command, type CommandContext } from '../context.js';
import { CtlError } from '../errors.js';
import { formatMembers } from '../members-output.js';
import { FORMATS, type Format } from '../output.js';
import { ctlTimestamp } from '../timestamp.js';
import { parseWatch, watching } from '../watch.js';

const LIST_OPTIONS: readonly OptionSpec[] = [
  { names: ['-e', '--extended'], help: 'Show some extra information' },
  { names: ['-t', '--timestamp'], help: 'Print timestamp' },
  FORMAT_OPTION,
  ...WATCH_OPTIONS,
];

async function listClusters(ctx: CommandContext, argv: readonly string[], topology: boolean): Promise<void> {
  const args = parseArgs(argv, topology ? WATCH_OPTIONS : LIST_OPTIONS);
  const fmt: Format = topology ? 'topology' : ((choiceOpt(args, 'format', FORMATS, 'pretty') ?? 'pretty') as Format);
  let every: number | undefined;
  try {
    every = parseWatch(stringOpt(args, 'watch'));
  } catch (error) {
    throw new CtlError((error as Error).message);
  }
  const names = args.positionals.length ? args.positionals : typeof ctx.config.scope === 'string' && ctx.config.scope ? [ctx.config.scope] : [];
  if (!names.length) throw new CtlError('Listing members: No cluster names were provided');
  await watching(flagOpt(args, 'W'), every, async () => {
    if (flagOpt(args, 'timestamp')) ctx.io.echo(ctlTimestamp(0));
    for (const name of names) {
      await withCluster(ctx, name, async (source) => {
        ctx.io.echo(formatMembers(await source.load(), name, { extended: flagOpt(args, 'extended'), format: fmt }));
      });
    }
  });
}

export const listCommand: Command = {
  name: 'list',
  help: 'List the Patroni members for a given Patroni',
  usage: '[CLUSTER_NAMES]...',
  options: LIST_OPTIONS,
  run: (ctx, argv) => listClusters(ctx, argv, false),
};

export const topologyCommand: Command = {
  name: 'topology',
  help: 'Prints ASCII topology for given cluster',
  usage: '[CLUSTER_NAMES]...',
  options: WATCH_OPTIONS,
  run: (ctx, argv) => listClusters(ctx, argv, true),
};
