/** `show-config [CLUSTER]`: the DCS `config` as block YAML with sorted keys. */
import { parseArgs } from '../args.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { formatYaml } from '../yaml-format.js';

export const showConfigCommand: Command = {
  name: 'show-config',
  help: 'Show cluster configuration',
  usage: '[CLUSTER_NAME]',
  options: [],
  async run(ctx, argv) {
    const args = parseArgs(argv, showConfigCommand.options);
    const name = clusterName(ctx, args.positionals[0]);
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      if (cluster.config) ctx.io.echo(formatYaml(cluster.config.data));
    });
  },
};
