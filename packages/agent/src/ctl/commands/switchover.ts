/**
 * `switchover [CLUSTER] [--leader|--primary|--master L] [--candidate C] [--scheduled TS] [--force]`
 * and `failover [CLUSTER] [--candidate C] [--force]`: checks the request against the
 * cluster (leader, candidates, sync mode, pause), asks what --force does not give, then
 * POSTs it to the leader's REST API (the candidate's when there is no leader) and
 * prints the answer. If the API cannot be reached, the `failover` key is written.
 */
import { flagOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { FORCE_OPTION } from '../common-options.js';
import { isNoFailover, isPaused, isStandbyCluster, isSynchronousMode, syncMatches } from '../cluster-json.js';
import { clusterName, withCluster, type Command, type CommandContext } from '../context.js';
import { CtlError } from '../errors.js';
import { formatMembers } from '../members-output.js';
import type { RestResponse } from '../rest.js';
import { ctlTimestamp, nextHourExample, parseScheduled } from '../timestamp.js';

type Action = 'switchover' | 'failover';

const FAILOVER_OPTIONS: readonly OptionSpec[] = [
  { names: ['--leader', '--primary', '--master'], value: true, key: 'leader', metavar: 'NAME', help: 'The name of the current leader (deprecated for failover: use switchover)' },
  { names: ['--candidate'], value: true, metavar: 'NAME', help: 'The name of the candidate' },
  FORCE_OPTION,
];
const SWITCHOVER_OPTIONS: readonly OptionSpec[] = [
  ...FAILOVER_OPTIONS,
  { names: ['--scheduled'], value: true, metavar: 'TIMESTAMP', help: 'Timestamp of a scheduled switchover in unambiguous format (e.g. ISO 8601), or now' },
];

async function run(ctx: CommandContext, argv: readonly string[], requested: Action): Promise<void> {
  const args = parseArgs(argv, requested === 'switchover' ? SWITCHOVER_OPTIONS : FAILOVER_OPTIONS);
  const name = clusterName(ctx, args.positionals[0]);
  const force = flagOpt(args, 'force');
  let action = requested;
  let leaderArg = stringOpt(args, 'leader');
  if (action === 'failover' && leaderArg !== undefined) {
    process.stderr.write('Supplying a leader name using this command is deprecated and will be removed in a future version of Patroni, change your scripts to use `switchover` instead.\n');
    action = 'switchover';
  }
  let candidate = stringOpt(args, 'candidate');
  await withCluster(ctx, name, async (source) => {
    let cluster = await source.load();
    ctx.io.echo('Current cluster topology');
    ctx.io.echo(formatMembers(cluster, name));
    const leader = cluster.leader?.name ?? null;
    if (action === 'switchover') {
      if (!leader) throw new CtlError('This cluster has no leader');
      if (leaderArg === undefined) {
        leaderArg = force ? leader : await ctx.io.prompt(isStandbyCluster(cluster) ? 'Standby Leader' : 'Primary', { default: leader });
      }
      if (leaderArg !== leader) throw new CtlError(`Member ${leaderArg} is not the leader of cluster ${name}`);
    }
    const candidates = cluster.members.filter((m) => m.name !== leader && !isNoFailover(m)).map((m) => m.name).sort();
    if (!candidates.length) throw new CtlError(`No candidates found to ${action} to`);
    if (candidate === undefined && !force) {
      candidate = await ctx.io.prompt(`Candidate ['${candidates.join("', '")}']`, { default: '' });
    }
    if (action === 'failover' && !candidate) throw new CtlError('Failover could be performed only to a specific candidate');
    if (candidate && !candidates.includes(candidate)) {
      if (candidate === leader) throw new CtlError(`Member ${candidate} is already the leader of cluster ${name}`);
      throw new CtlError(`Member ${candidate} does not exist in cluster ${name} or is tagged as nofailover`);
    }
    if (!force && action === 'failover' && isSynchronousMode(cluster) && cluster.sync.leader && !syncMatches(cluster, candidate, true)) {
      if (!(await ctx.io.confirm(`Are you sure you want to failover to the asynchronous node ${candidate}?`))) throw new CtlError(`Aborting ${action}`);
    }
    let scheduledAt: string | null = null;
    if (action === 'switchover') {
      let scheduled = stringOpt(args, 'scheduled');
      if (scheduled === undefined && !force) {
        scheduled = await ctx.io.prompt(`When should the switchover take place (e.g. ${nextHourExample()} ) `, { default: 'now' });
      }
      scheduledAt = parseScheduled(scheduled);
      if (scheduledAt && isPaused(cluster)) throw new CtlError("Can't schedule switchover in the paused state");
    }
    const body: Record<string, unknown> = { candidate: candidate || null };
    if (action === 'switchover') body.leader = leaderArg;
    if (scheduledAt) body.scheduled_at = scheduledAt;
    if (!force) {
      const demote = leader ? `, demoting current leader ${leader}` : '';
      if (scheduledAt) {
        if (!(await ctx.io.confirm(`Are you sure you want to schedule switchover of cluster ${name} at ${scheduledAt}${demote}?`))) {
          throw new CtlError(`Aborting scheduled ${action}`);
        }
      } else if (!(await ctx.io.confirm(`Are you sure you want to ${action} cluster ${name}${demote}?`))) {
        throw new CtlError(`Aborting ${action}`);
      }
    }
    const target = cluster.leader?.member ?? cluster.members.find((m) => m.name === candidate);
    let res: RestResponse | undefined;
    try {
      if (!target?.data.api_url) throw new Error('no api_url');
      res = await ctx.rest.request(target.data.api_url, 'POST', action, body);
      if (res.status === 501 && action === 'switchover' && res.body.includes('Server does not support this operation')) {
        res = await ctx.rest.request(target.data.api_url, 'POST', 'failover', body);
      }
    } catch {
      res = undefined;
    }
    if (res) {
      if (res.status !== 200 && res.status !== 202) {
        ctx.io.echo(`${action[0]!.toUpperCase()}${action.slice(1)} failed, details: ${res.status}, ${res.body}`);
        return;
      }
      cluster = await source.load();
      ctx.io.echo(`${ctlTimestamp()} ${res.body}`);
    } else {
      ctx.io.echo(`${ctlTimestamp()} Could not ${action} using Patroni api, falling back to DCS`);
      if (!source.dcs) throw new CtlError(`Could not ${action}: the REST API is not accessible and --api gives no DCS to write to`);
      const outcome = await source.dcs.writeFailover({ leader: leaderArg ?? null, candidate: candidate || null, scheduledAt });
      if (outcome.kind !== 'written') throw new CtlError(`failed to write the failover key into the DCS (${outcome.kind})`);
    }
    ctx.io.echo(formatMembers(cluster, name));
  });
}

export const switchoverCommand: Command = {
  name: 'switchover',
  help: 'Switchover to a replica',
  usage: '[CLUSTER_NAME]',
  options: SWITCHOVER_OPTIONS,
  run: (ctx, argv) => run(ctx, argv, 'switchover'),
};
export const failoverCommand: Command = {
  name: 'failover',
  help: 'Failover to a replica',
  usage: '[CLUSTER_NAME]',
  options: FAILOVER_OPTIONS,
  run: (ctx, argv) => run(ctx, argv, 'failover'),
};
