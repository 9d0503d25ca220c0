/**
 * `pause` / `resume [CLUSTER] [--wait]`: PATCH /config {"pause": true|null} on the
 * first reachable member, leader first; --wait polls the member keys until each shows
 * (or loses) `pause: true`, for up to loop_wait + 1 s.
 */
import { flagOpt, parseArgs } from '../args.js';
import { WAIT_OPTION } from '../common-options.js';
import { isPaused, loopWait } from '../cluster-json.js';
import { clusterName, withCluster, type Command, type CommandContext } from '../context.js';
import { CtlError } from '../errors.js';
import { membersLeaderFirst } from '../members-select.js';
import type { RestResponse } from '../rest.js';

async function toggle(ctx: CommandContext, argv: readonly string[], paused: boolean): Promise<void> {
  const args = parseArgs(argv, [WAIT_OPTION]);
  const name = clusterName(ctx, args.positionals[0]);
  const word = paused ? 'paused' : 'resumed';
  await withCluster(ctx, name, async (source) => {
    const cluster = await source.load();
    if (isPaused(cluster) === paused) throw new CtlError(`Cluster is ${paused ? 'already' : 'not'} paused`);
    for (const m of membersLeaderFirst(cluster)) {
      let res: RestResponse;
      try {
        res = await ctx.rest.request(m.data.api_url!, 'PATCH', 'config', { pause: paused || null });
      } catch {
        continue; // Member not accessible: try the next one.
      }
      if (res.status !== 200) {
        ctx.io.echo(`Failed: ${paused ? 'pause' : 'resume'} cluster management status code=${res.status}, (${res.body})`);
        return;
      }
      if (!flagOpt(args, 'wait')) {
        ctx.io.echo(`Success: cluster management is ${word}`);
        return;
      }
      ctx.io.echo(`'${paused ? 'pause' : 'resume'}' request sent, waiting until it is recognized by all nodes`);
      const old = new Map(cluster.members.filter((x) => x.data.api_url).map((x) => [x.name, x.version]));
      const wait = loopWait(cluster);
      const deadline = Date.now() + (wait + 1) * 1000;
      for (;;) {
        const now = await source.load();
        const watched = now.members.filter((x) => old.has(x.name));
        if (watched.every((x) => (x.data.pause ?? false) === paused)) break;
        if (Date.now() >= deadline) {
          const remaining = watched.filter((x) => (x.data.pause ?? false) !== paused && old.get(x.name) !== x.version).map((x) => x.name);
          if (remaining.length) {
            ctx.io.echo(`${remaining.join(', ')} members didn't recognized pause state after ${wait} seconds`);
            return;
          }
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      ctx.io.echo(`Success: cluster management is ${word}`);
      return;
    }
    throw new CtlError('Can not find accessible cluster member');
  });
}

export const pauseCommand: Command = {
  name: 'pause',
  help: 'Disable auto failover',
  usage: '[CLUSTER_NAME]',
  options: [WAIT_OPTION],
  run: (ctx, argv) => toggle(ctx, argv, true),
};
export const resumeCommand: Command = {
  name: 'resume',
  help: 'Resume auto failover',
  usage: '[CLUSTER_NAME]',
  options: [WAIT_OPTION],
  run: (ctx, argv) => toggle(ctx, argv, false),
};
