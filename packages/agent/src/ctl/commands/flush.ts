/**
 * `flush CLUSTER [MEMBER…] restart|switchover [-r ROLE] [--force]`: DELETE /restart on
 * members with a scheduled restart, or DELETE /switchover (leader first); with no
 * member reachable, the scheduled switchover is cleared in the DCS directly.
 */
import { choiceOpt, flagOpt, parseArgs, type OptionSpec } from '../args.js';
import { FORCE_OPTION, ROLE_OPTION } from '../common-options.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { CtlError } from '../errors.js';
import { apiUrl, checkResponse, membersLeaderFirst, ROLE_CHOICES, selectMembers } from '../members-select.js';
import { ctlTimestamp } from '../timestamp.js';

const OPTIONS: readonly OptionSpec[] = [{ ...ROLE_OPTION, help: 'Flush only members with this role (default any)' }, FORCE_OPTION];

export const flushCommand: Command = {
  name: 'flush',
  help: 'Discard scheduled events',
  usage: 'CLUSTER_NAME [MEMBER_NAMES]... {restart|switchover}',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    const positionals = [...args.positionals];
    const target = positionals.pop();
    if (target !== 'restart' && target !== 'switchover') throw new CtlError(`Invalid value for 'TARGET': '${target ?? ''}' is not one of 'restart', 'switchover'.`);
    const [arg, ...names] = positionals;
    const name = clusterName(ctx, arg, true);
    const role = choiceOpt(args, 'role', ROLE_CHOICES, 'any')!;
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      if (target === 'restart') {
        for (const m of await selectMembers(ctx, cluster, name, names, role, flagOpt(args, 'force'), 'flush')) {
          if (m.data.scheduled_restart) checkResponse(ctx, await ctx.rest.request(apiUrl(m), 'DELETE', 'restart'), m.name, 'flush scheduled restart');
          else ctx.io.echo(`No scheduled restart for member ${m.name}`);
        }
        return;
      }
      const failover = cluster.failover;
      if (!failover?.scheduledAt) {
        ctx.io.echo('No pending scheduled switchover');
        return;
      }
      for (const m of membersLeaderFirst(cluster)) {
        try {
          const res = await ctx.rest.request(apiUrl(m), 'DELETE', 'switchover');
          if (res.status === 200 || res.status === 404) {
            ctx.io.echo(`${res.status === 200 ? 'Success' : 'Failed'}: ${res.body}`);
            return;
          }
          ctx.io.echo(`Failed: member=${m.name}, status_code=${res.status}, (${res.body})`);
        } catch {
          // Member not accessible: try the next one.
        }
      }
      ctx.io.echo(`${ctlTimestamp()} Could not find any accessible member of cluster ${name}`);
      if (source.dcs) await source.dcs.clearFailover(failover.version);
    });
  },
};
