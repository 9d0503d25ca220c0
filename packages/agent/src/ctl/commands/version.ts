/** `version [CLUSTER [MEMBER…]]`: this tool's version, then each member's Patroni and PostgreSQL versions. */
import { parseArgs } from '../args.js';
import { withCluster, type Command } from '../context.js';
import { membersByRole } from '../members-select.js';
import { CTL_VERSION } from '../version.js';

/** 150004 → `15.4`; 90624 → `9.6.24`. */
export function formatPgVersion(v: number): string {
  const major = Math.floor(v / 10000);
  if (major < 10) return `${major}.${Math.floor(v / 100) % 100}.${v % 100}`;
  return `${major}.${v % 10000}`;
}

export const versionCommand: Command = {
  name: 'version',
  help: 'Output version of patronictl command or a running Patroni instance',
  usage: '[CLUSTER_NAME] [MEMBER_NAMES]...',
  options: [],
  async run(ctx, argv) {
    const args = parseArgs(argv, versionCommand.options);
    ctx.io.echo(`pgwardenctl version ${CTL_VERSION}`);
    const [name, ...memberNames] = args.positionals;
    if (!name) return;
    ctx.io.echo('');
    await withCluster(ctx, name, async (source) => {
      for (const m of membersByRole(await source.load(), 'any')) {
        if (!m.data.api_url || (memberNames.length && !memberNames.includes(m.name))) continue;
        try {
          const res = await ctx.rest.request(m.data.api_url, 'GET', 'patroni');
          const data = JSON.parse(res.body) as { patroni?: { version?: string }; server_version?: number };
          const pg = data.server_version ? ` PostgreSQL ${formatPgVersion(data.server_version)}` : '';
          ctx.io.echo(`${m.name}: Patroni ${String(data.patroni?.version)}${pg}`);
        } catch (error) {
          ctx.io.echo(`${m.name}: failed to get version: ${(error as Error).message}`);
        }
      }
    });
  },
};
