/**
 * `restart CLUSTER [MEMBER…] [-r ROLE] [--any] [--scheduled TS] [--pg-version V]
 * [--pending] [--timeout T] [--force]`: POST /restart with the filters as its body.
 */
import { choiceOpt, flagOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { FORCE_OPTION, ROLE_OPTION } from '../common-options.js';
import { isPaused } from '../cluster-json.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { CtlError } from '../errors.js';
import { apiUrl, checkResponse, confirmMembersAction, ROLE_CHOICES, selectMembers } from '../members-select.js';
import { nextHourExample, parseScheduled } from '../timestamp.js';

function checkPgVersion(v: string): void {
  const parts = v.split('.');
  if (!parts.every((p) => /^\d+$/.test(p)) || parts.length < 2 || parts.length > 3) {
    throw new CtlError(`Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${v}`);
  }
  if (parts.length === 2 && Number(parts[0]) < 10) throw new CtlError(`Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${v}`);
}

const OPTIONS: readonly OptionSpec[] = [
  { ...ROLE_OPTION, help: 'Restart only members with this role (default any)' },
  { names: ['--any'], key: 'any', help: 'Restart a single member only' },
  { names: ['--scheduled'], value: true, metavar: 'TIMESTAMP', help: 'Timestamp of a scheduled restart in unambiguous format (e.g. ISO 8601), or now' },
  { names: ['--pg-version'], value: true, key: 'pg_version', metavar: 'VERSION', help: 'Restart if the PostgreSQL version is less than provided (e.g. 15.4)' },
  { names: ['--pending'], help: 'Restart if pending' },
  { names: ['--timeout'], value: true, metavar: 'SECONDS', help: 'Return error and fail over if necessary when restarting takes longer than this.' },
  FORCE_OPTION,
];

export const restartCommand: Command = {
  name: 'restart',
  help: 'Restart cluster member',
  usage: 'CLUSTER_NAME [MEMBER_NAMES]...',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    const [arg, ...names] = args.positionals;
    const name = clusterName(ctx, arg, true);
    const role = choiceOpt(args, 'role', ROLE_CHOICES, 'any')!;
    const force = flagOpt(args, 'force');
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      let members = await selectMembers(ctx, cluster, name, names, role, force, 'restart', false);
      let scheduled = stringOpt(args, 'scheduled');
      if (scheduled === undefined && !force) {
        scheduled = await ctx.io.prompt(`When should the restart take place (e.g. ${nextHourExample()}) `, { default: 'now' });
      }
      const scheduledAt = parseScheduled(scheduled);
      await confirmMembersAction(ctx, members, force, 'restart', scheduledAt);
      if (flagOpt(args, 'any')) members = [members[Math.floor(Math.random() * members.length)]!].filter(Boolean);
      let version = stringOpt(args, 'pg_version');
      if (version === undefined && !force) {
        version = await ctx.io.prompt('Restart if the PostgreSQL version is less than provided (e.g. 9.5.2) ', { default: '' });
      }
      const body: Record<string, unknown> = {};
      if (flagOpt(args, 'pending')) body.restart_pending = true;
      if (version) {
        checkPgVersion(version);
        body.postgres_version = version;
      }
      if (scheduledAt) {
        if (isPaused(cluster)) throw new CtlError("Can't schedule restart in the paused state");
        body.schedule = scheduledAt;
      }
      const timeout = stringOpt(args, 'timeout');
      if (timeout !== undefined) body.timeout = timeout;
      for (const m of members) {
        if (body.schedule && force && m.data.scheduled_restart) {
          checkResponse(ctx, await ctx.rest.request(apiUrl(m), 'DELETE', 'restart'), m.name, 'flush scheduled restart', true);
        }
        const res = await ctx.rest.request(apiUrl(m), 'POST', 'restart', body);
        if (res.status === 200) ctx.io.echo(`Success: restart on member ${m.name}`);
        else if (res.status === 202) ctx.io.echo(`Success: restart scheduled on member ${m.name}`);
        else if (res.status === 409) ctx.io.echo(`Failed: another restart is already scheduled on member ${m.name}`);
        else ctx.io.echo(`Failed: restart for member ${m.name}, status code=${res.status}, (${res.body})`);
      }
    });
  },
};
