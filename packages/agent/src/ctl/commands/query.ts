/**
 * `query [CLUSTER] [-r ROLE | -m MEMBER] [-d DB] [-U USER] [--password] [--format F]
 * [-f FILE | -c SQL] [--delimiter D] [-W | -w N]`: runs SQL on a member found in the
 * DCS (the leader by default). A role other than any/leader is checked with
 * pg_is_in_recovery(); SQL errors print as a row `<time> ERROR, SQLSTATE: <code>`.
 */
import { readFileSync } from 'node:fs';
import type { Cluster } from '@pgwarden/core';
import { choiceOpt, flagOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { ROLE_OPTION, WATCH_OPTIONS } from '../common-options.js';
import { connHostPort } from '../cluster-json.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { CtlError } from '../errors.js';
import { membersByRole, ROLE_CHOICES } from '../members-select.js';
import { formatOutput, type Format } from '../output.js';
import { loadPg, type PgConnection } from '../pg-client.js';
import { ctlTimestamp } from '../timestamp.js';
import { parseWatch, watching } from '../watch.js';

interface Target {
  readonly role: string | undefined;
  readonly member: string | undefined;
  readonly params: { user?: string; password?: string; database?: string };
}

async function connect(cluster: Cluster, t: Target): Promise<PgConnection | null> {
  const m = membersByRole(cluster, t.member !== undefined ? 'any' : (t.role ?? 'leader')).find((c) => t.member === undefined || c.name === t.member);
  if (!m) return null;
  const { host, port } = connHostPort(m.data.conn_url);
  const pg = await loadPg();
  const client = new pg.Client({
    host,
    port: port ?? 5432,
    ...t.params,
    application_name: 'Patroni ctl',
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  if (t.role === undefined || t.role === 'any' || t.role === 'leader') return client;
  const { rows } = await client.query({ text: 'SELECT pg_catalog.pg_is_in_recovery()', rowMode: 'array' });
  const inRecovery = !rows[0] || rows[0][0] === true;
  if ((inRecovery && ['replica', 'standby', 'standby-leader'].includes(t.role)) || (!inRecovery && ['master', 'primary'].includes(t.role))) return client;
  await client.end();
  return null;
}

const QUERY_FORMATS = ['pretty', 'tsv', 'json', 'yaml', 'yml'];

const OPTIONS: readonly OptionSpec[] = [
  { ...ROLE_OPTION, help: 'The role of the query (default leader)' },
  { names: ['-m', '--member'], value: true, metavar: 'NAME', help: 'Query a specific member' },
  { names: ['-d', '--dbname'], value: true, metavar: 'DBNAME', help: 'database name to connect to' },
  { names: ['-U', '--username'], value: true, metavar: 'NAME', help: 'database user name' },
  { names: ['--password'], help: 'force password prompt' },
  { names: ['--format'], value: true, metavar: `[${QUERY_FORMATS.join('|')}]`, help: 'Output format (default tsv)' },
  { names: ['-f', '--file'], value: true, metavar: 'FILE', help: 'Execute the SQL commands from this file (- for stdin)' },
  { names: ['-c', '--command'], value: true, metavar: 'SQL', help: 'The SQL commands to execute' },
  { names: ['--delimiter'], value: true, metavar: 'TEXT', help: 'The column delimiter (default a tab)' },
  ...WATCH_OPTIONS,
];

export const queryCommand: Command = {
  name: 'query',
  help: 'Query a Patroni PostgreSQL member',
  usage: '[CLUSTER_NAME]',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    const fmt = choiceOpt(args, 'format', QUERY_FORMATS, 'tsv') as Format;
    const file = stringOpt(args, 'file');
    const command = stringOpt(args, 'command');
    let sql: string;
    if (file !== undefined) {
      if (command !== undefined) throw new CtlError('--file and --command are mutually exclusive options');
      sql = readFileSync(file === '-' ? 0 : file, 'utf8');
    } else {
      if (command === undefined) throw new CtlError('You need to specify either --command or --file');
      sql = command;
    }
    const role = choiceOpt(args, 'role', ROLE_CHOICES);
    const member = stringOpt(args, 'member');
    if (role !== undefined && member !== undefined) throw new CtlError('--role and --member are mutually exclusive options');
    const params: Target['params'] = {};
    const user = stringOpt(args, 'username');
    if (user) params.user = user;
    if (flagOpt(args, 'password')) params.password = await ctx.io.prompt('Password');
    const db = stringOpt(args, 'dbname');
    if (db) params.database = db;
    let every: number | undefined;
    try {
      every = parseWatch(stringOpt(args, 'watch'));
    } catch (error) {
      throw new CtlError((error as Error).message);
    }
    const name = clusterName(ctx, args.positionals[0]);
    await withCluster(ctx, name, async (source) => {
      const cluster = await source.load();
      let client: PgConnection | null = null;
      try {
        await watching(flagOpt(args, 'W'), every, async () => {
          let header: string[] = [];
          let rows: unknown[][];
          try {
            client ??= await connect(cluster, { role, member, params });
            if (!client) {
              const message = member !== undefined ? `No connection to member ${member} is available` : role !== undefined ? `No connection to role ${role} is available` : 'No connection is available';
              rows = [[ctlTimestamp(0), message]];
            } else {
              const result = await client.query({ text: sql, rowMode: 'array' });
              rows = result.rows;
              header = result.fields.map((f) => f.name);
            }
          } catch (error) {
            if (error instanceof CtlError) throw error;
            const e = error as Error & { code?: string };
            await client?.end().catch(() => {});
            client = null;
            const detail = (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : e.message).replace(/\n/g, ' ');
            rows = [[ctlTimestamp(0), `ERROR, SQLSTATE: ${detail}`]];
          }
          ctx.io.echo(formatOutput(header, rows, { format: fmt, delimiter: stringOpt(args, 'delimiter') ?? '\t' }));
        });
      } finally {
        await (client as PgConnection | null)?.end().catch(() => {});
      }
    });
  },
};
