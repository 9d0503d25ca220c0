/** `dsn [CLUSTER] [-r ROLE | -m MEMBER]`: `host=H port=P` of the leader or the chosen member. */
import { choiceOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { ROLE_OPTION } from '../common-options.js';
import { connHostPort } from '../cluster-json.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { CtlError } from '../errors.js';
import { membersByRole, ROLE_CHOICES } from '../members-select.js';

const OPTIONS: readonly OptionSpec[] = [
  { ...ROLE_OPTION, help: 'Give a dsn of any member with this role' },
  { names: ['-m', '--member'], value: true, metavar: 'NAME', help: 'Generate a dsn for this member' },
];

export const dsnCommand: Command = {
  name: 'dsn',
  help: 'Generate a dsn for the provided member, defaults to a dsn of the leader',
  usage: '[CLUSTER_NAME]',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    let role = choiceOpt(args, 'role', ROLE_CHOICES);
    const member = stringOpt(args, 'member');
    if (member !== undefined) {
      if (role !== undefined) throw new CtlError('--role and --member are mutually exclusive options');
      role = 'any';
    }
    const name = clusterName(ctx, args.positionals[0]);
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      const m = membersByRole(cluster, role ?? 'leader').find((c) => member === undefined || c.name === member);
      if (!m) throw new CtlError('Can not find a suitable member');
      const { host, port } = connHostPort(m.data.conn_url);
      ctx.io.echo(`host=${host ?? ''} port=${port ?? 5432}`);
    });
  },
};
