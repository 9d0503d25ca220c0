/**
 * `remove CLUSTER [-f FORMAT]`: prints the cluster, asks for its name, for the exact
 * words "Yes I am aware", and (when it has a leader) for the leader's name, then
 * deletes every key of the cluster from the DCS.
 */
import { choiceOpt, parseArgs } from '../args.js';
import { FORMAT_OPTION } from '../common-options.js';
import { requireDcs } from '../cluster-source.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { CtlError } from '../errors.js';
import { formatMembers } from '../members-output.js';
import { FORMATS, type Format } from '../output.js';

const AWARE = 'Yes I am aware';

export const removeCommand: Command = {
  name: 'remove',
  help: 'Remove cluster from DCS',
  usage: 'CLUSTER_NAME',
  options: [FORMAT_OPTION],
  async run(ctx, argv) {
    const args = parseArgs(argv, removeCommand.options);
    const fmt = choiceOpt(args, 'format', FORMATS, 'pretty') as Format;
    const name = clusterName(ctx, args.positionals[0], true);
    await withCluster(ctx, name, async (source) => {
      const dcs = requireDcs(source, 'remove');
      const cluster = await source.load();
      ctx.io.echo(formatMembers(cluster, name, { format: fmt }));
      if ((await ctx.io.prompt('Please confirm the cluster name to remove')) !== name) throw new CtlError('Cluster names specified do not match');
      if ((await ctx.io.prompt(`You are about to remove all information in DCS for ${name}, please type: "${AWARE}"`)) !== AWARE) {
        throw new CtlError(`You did not exactly type "${AWARE}"`);
      }
      if (cluster.leader?.name) {
        const answer = await ctx.io.prompt('This cluster currently is healthy. Please specify the leader name to continue');
        if (answer !== cluster.leader.name) throw new CtlError('You did not specify the current leader of the cluster');
      }
      const outcome = await dcs.deleteCluster();
      if (outcome.kind === 'unavailable') throw new CtlError(`DCS is not accessible: ${outcome.cause.message}`);
    });
  },
};
