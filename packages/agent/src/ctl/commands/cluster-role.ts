/**
 * `demote-cluster [CLUSTER] (--host H | --port P | --restore-command C) [--primary-slot-name S] [--force]`
 * turns a cluster into a standby cluster of another one, and `promote-cluster [CLUSTER]
 * [--force]` makes a standby cluster run on its own again. Both write the `standby_cluster`
 * section of `/config` (PATCH on the first reachable member, leader first; `null` removes
 * it) and then wait, up to loop_wait + 30 s, for the leader's role to show the change.
 */
import { flagOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { FORCE_OPTION } from '../common-options.js';
import { loopWait } from '../cluster-json.js';
import { clusterName, withCluster, type Command, type CommandContext } from '../context.js';
import { CtlError } from '../errors.js';
import { membersLeaderFirst } from '../members-select.js';
import type { ClusterSource } from '../cluster-source.js';
import type { RestResponse } from '../rest.js';

const DEMOTE_OPTIONS: readonly OptionSpec[] = [
  FORCE_OPTION,
  { names: ['--host'], value: true, help: 'Address of the remote node' },
  { names: ['--port'], value: true, metavar: 'INTEGER', help: 'Port of the remote node' },
  { names: ['--restore-command'], value: true, help: 'Command to restore WAL records from the remote primary' },
  { names: ['--primary-slot-name'], value: true, help: 'Name of the slot on the remote node to use for replication' },
];

type StandbySection = Record<string, string | number>;

function demoteSection(args: ReturnType<typeof parseArgs>): StandbySection {
  const host = stringOpt(args, 'host');
  const portText = stringOpt(args, 'port');
  const restore = stringOpt(args, 'restore_command');
  const slot = stringOpt(args, 'primary_slot_name');
  if (!host && !portText && !restore) throw new CtlError('At least --host, --port or --restore-command should be specified');
  const section: StandbySection = {};
  if (host) section['host'] = host;
  if (portText) {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CtlError(`Invalid value for '--port': '${portText}' is not a valid port (1-65535)`);
    section['port'] = port;
  }
  if (restore) section['restore_command'] = restore;
  if (slot) {
    if (!/^[a-z0-9_]{1,63}$/.test(slot)) throw new CtlError(`Invalid value for '--primary-slot-name': '${slot}' is not a slot name (lower-case letters, digits and _, at most 63)`);
    section['primary_slot_name'] = slot;
  }
  return section;
}

/** The leader's role says whether the change has taken effect. */
function leaderRole(cluster: Awaited<ReturnType<ClusterSource['load']>>): string | null {
  const role = cluster.leader?.member.data.role;
  return cluster.leader && typeof role === 'string' ? role : null;
}

const isStandbyRole = (role: string | null): boolean => role === 'standby_leader';

async function changeClusterRole(ctx: CommandContext, name: string, force: boolean, section: StandbySection | null): Promise<void> {
  const verb = section ? 'demote' : 'promote';
  await withCluster(ctx, name, async (source) => {
    const cluster = await source.load();
    if (!cluster.leader) throw new CtlError(`Cluster has no leader, ${verb} is not possible`);
    if (isStandbyRole(leaderRole(cluster)) === (section !== null)) {
      ctx.io.echo('Cluster is already in the required state');
      return;
    }
    if (!force && !(await ctx.io.confirm(`Are you sure you want to ${verb} ${name} cluster?`))) throw new CtlError(`Aborted cluster ${verb}`);
    let accepted = false;
    for (const m of membersLeaderFirst(cluster)) {
      let res: RestResponse;
      try {
        res = await ctx.rest.request(m.data.api_url!, 'PATCH', 'config', { standby_cluster: section });
      } catch {
        continue; // not reachable: the next member can write /config as well
      }
      if (res.status !== 200) throw new CtlError(`Failed to ${verb} ${name} cluster: status code=${res.status}, (${res.body})`);
      accepted = true;
      break;
    }
    if (!accepted) throw new CtlError('Can not find accessible cluster member');
    const deadline = Date.now() + (loopWait(cluster) + 30) * 1000;
    for (;;) {
      const now = await source.load();
      const role = leaderRole(now);
      // Promotion is done once the leader is a primary again; demotion once it is a standby leader.
      if (role !== null && isStandbyRole(role) === (section !== null) && (section !== null || role === 'primary' || role === 'master')) {
        ctx.io.echo(`${name} cluster ${verb}d successfully`);
        return;
      }
      if (Date.now() >= deadline) throw new CtlError(`${name} cluster ${verb} was requested, but the leader has not finished it yet; check with pgwardenctl list`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
}

export const demoteClusterCommand: Command = {
  name: 'demote-cluster',
  help: 'Demote cluster to a standby cluster',
  usage: '[CLUSTER_NAME]',
  options: DEMOTE_OPTIONS,
  run: async (ctx, argv) => {
    const args = parseArgs(argv, DEMOTE_OPTIONS);
    const section = demoteSection(args);
    await changeClusterRole(ctx, clusterName(ctx, args.positionals[0]), flagOpt(args, 'force'), section);
  },
};

export const promoteClusterCommand: Command = {
  name: 'promote-cluster',
  help: 'Promote cluster, make it run standalone',
  usage: '[CLUSTER_NAME]',
  options: [FORCE_OPTION],
  run: async (ctx, argv) => {
    const args = parseArgs(argv, [FORCE_OPTION]);
    await changeClusterRole(ctx, clusterName(ctx, args.positionals[0]), flagOpt(args, 'force'), null);
  },
};
