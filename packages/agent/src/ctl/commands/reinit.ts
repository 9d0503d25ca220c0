/** `reinit CLUSTER [MEMBER…] [--force] [--from-leader] [--wait]`: POST /reinitialize on replicas; --wait polls /patroni. */
import type { Member } from '@pgwarden/core';
import { flagOpt, parseArgs, type OptionSpec } from '../args.js';
import { FORCE_OPTION } from '../common-options.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { apiUrl, checkResponse, selectMembers } from '../members-select.js';

/** patronictl polls every 2 s; PGWARDENCTL_POLL_MS shortens it (tests). */
const pollMs = (): number => Number(process.env.PGWARDENCTL_POLL_MS) || 2000;

const OPTIONS: readonly OptionSpec[] = [
  FORCE_OPTION,
  { names: ['--from-leader'], help: 'Get basebackup from leader' },
  { names: ['--wait'], help: 'Wait until reinitialization completes' },
];

export const reinitCommand: Command = {
  name: 'reinit',
  help: 'Reinitialize cluster member',
  usage: 'CLUSTER_NAME [MEMBER_NAMES]...',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    const [arg, ...names] = args.positionals;
    const name = clusterName(ctx, arg, true);
    const force = flagOpt(args, 'force');
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      const waitOn: Member[] = [];
      for (const m of await selectMembers(ctx, cluster, name, names, 'replica', force, 'reinitialize')) {
        // Patroni 4.1 sends from_leader always; an older agent ignores it.
        const body = { force, from_leader: flagOpt(args, 'from_leader') };
        let started = false;
        for (;;) {
          const res = await ctx.rest.request(apiUrl(m), 'POST', 'reinitialize', body);
          started = checkResponse(ctx, res, m.name, 'reinitialize');
          if (!started && res.body.endsWith(' already in progress') && !force && (await ctx.io.confirm('Do you want to cancel it and reinitialize anyway?'))) {
            body.force = true;
            continue;
          }
          break;
        }
        if (started && flagOpt(args, 'wait')) waitOn.push(m);
      }
      let shown = '';
      while (waitOn.length) {
        const list = waitOn.map((m) => m.name).join(', ');
        if (list !== shown) ctx.io.echo(`Waiting for reinitialize to complete on: ${list}`);
        shown = list;
        await new Promise((r) => setTimeout(r, pollMs()));
        for (const m of [...waitOn]) {
          const res = await ctx.rest.request(apiUrl(m), 'GET', 'patroni');
          const state = (JSON.parse(res.body) as { state?: string }).state;
          if (state !== 'creating replica') {
            ctx.io.echo(`Reinitialize is completed on: ${m.name}`);
            waitOn.splice(waitOn.indexOf(m), 1);
          }
        }
      }
    });
  },
};
