/** `reload CLUSTER [MEMBER…] [-r ROLE] [--force]`: POST /reload on each chosen member. */
import { choiceOpt, flagOpt, parseArgs, type OptionSpec } from '../args.js';
import { FORCE_OPTION, ROLE_OPTION } from '../common-options.js';
import { loopWait } from '../cluster-json.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { apiUrl, ROLE_CHOICES, selectMembers } from '../members-select.js';

const OPTIONS: readonly OptionSpec[] = [{ ...ROLE_OPTION, help: 'Reload only members with this role (default any)' }, FORCE_OPTION];

export const reloadCommand: Command = {
  name: 'reload',
  help: 'Reload cluster member configuration',
  usage: 'CLUSTER_NAME [MEMBER_NAMES]...',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    const [arg, ...names] = args.positionals;
    const name = clusterName(ctx, arg, true);
    const role = choiceOpt(args, 'role', ROLE_CHOICES, 'any')!;
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      for (const m of await selectMembers(ctx, cluster, name, names, role, flagOpt(args, 'force'), 'reload')) {
        const res = await ctx.rest.request(apiUrl(m), 'POST', 'reload');
        if (res.status === 200) ctx.io.echo(`No changes to apply on member ${m.name}`);
        else if (res.status === 202) ctx.io.echo(`Reload request received for member ${m.name} and will be processed within ${loopWait(cluster)} seconds`);
        else ctx.io.echo(`Failed: reload for member ${m.name}, status code=${res.status}, (${res.body})`);
      }
    });
  },
};
