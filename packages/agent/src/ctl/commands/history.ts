/** `history [CLUSTER] [-f FORMAT]`: the timeline history (`TL | LSN | Reason | Timestamp | New Leader`). */
import { choiceOpt, parseArgs } from '../args.js';
import { FORMAT_OPTION } from '../common-options.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { FORMATS, formatOutput, type Format } from '../output.js';

export const historyCommand: Command = {
  name: 'history',
  help: 'Show the history of failovers/switchovers',
  usage: '[CLUSTER_NAME]',
  options: [FORMAT_OPTION],
  async run(ctx, argv) {
    const args = parseArgs(argv, historyCommand.options);
    const fmt = choiceOpt(args, 'format', FORMATS, 'pretty') as Format;
    const name = clusterName(ctx, args.positionals[0]);
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      const columns = ['TL', 'LSN', 'Reason', 'Timestamp', 'New Leader'];
      const rows = (cluster.history?.lines ?? []).map((line) => {
        const row: unknown[] = [...line];
        while (row.length < columns.length) row.push('');
        return row;
      });
      ctx.io.echo(formatOutput(columns, rows, { align: { TL: 'r', LSN: 'r' }, format: fmt }));
    });
  },
};
