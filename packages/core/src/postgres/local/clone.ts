import { chown, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { UpstreamNode } from '../upstream.js';
import { isBinaries } from './binaries.js';
import { checkClientFiles } from './client-files.js';
import { publicClientSettings } from './client-settings.js';
import { buildConninfo, parseConnUrl } from './conninfo.js';
import type { LocalContext } from './context.js';
import { remaining } from './context.js';
import { replicationRole } from './leader-connection.js';
import { secretSettings } from './service-file.js';
import { lastLine, runProgram } from './run-program.js';
import { splitCommand, toolArguments } from './tool-options.js';

const BASEBACKUP_FORBIDDEN = [
  'pgdata', 'D', 'format', 'F', 'wal-method', 'X', 'xlog-method', 'gzip', 'z', 'version', 'V',
  'compress', 'Z', 'dbname', 'd', 'host', 'h', 'port', 'p', 'username', 'U', 'password', 'W',
];

/** Empties the data directory but keeps it (its owner and mode stay as they are). */
export async function wipeDataDir(ctx: LocalContext): Promise<void> {
  await mkdir(ctx.dataDir, { recursive: true, mode: 0o700 });
  if (ctx.runAs) await chown(ctx.dataDir, ctx.runAs.uid, ctx.runAs.gid);
  for (const entry of await readdir(ctx.dataDir)) await rm(join(ctx.dataDir, entry), { recursive: true, force: true });
}

/**
 * Creates a replica's data directory with the configured methods, in order, until one
 * succeeds (spec §3.7). Without a leader conn_url only `no_leader` methods run.
 */
export async function cloneDataDir(
  ctx: LocalContext,
  upstream: UpstreamNode | null,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PgResult<{ method: string }>> {
  const bins = await ctx.binaries();
  if (!isBinaries(bins)) return bins;
  const deadline = ctx.clock.now() + timeoutMs;
  // A standby leader clones from the remote with standby_cluster.create_replica_methods when set.
  const remoteMethods = upstream?.standby?.remote ? upstream.standby.createReplicaMethods : null;
  const methods = remoteMethods ?? ctx.config.create_replica_methods ?? ['basebackup'];
  const endpoint = upstream?.connUrl ? parseConnUrl(upstream.connUrl) : null;
  const failures: string[] = [];
  // The replication user's libpq settings (sslmode, sslcert…) go with every clone from the leader.
  const role = replicationRole(ctx);
  const roleSettings = publicClientSettings(role.creds);
  if (endpoint) {
    const files = await checkClientFiles(role, ctx.runAs);
    if (!files.ok) return files;
  }
  let secret: Awaited<ReturnType<typeof secretSettings>> = { fields: {}, env: {} };
  try {
    if (endpoint) secret = await secretSettings(role, `${ctx.pgpassPath}.replication.service`, ctx.runAs);
  } catch (e) {
    return fail('invalid-config', (e as Error).message, e);
  }
  for (const method of methods) {
    const custom = ctx.config.replica_methods?.[method];
    const noLeader = Boolean(custom?.no_leader ?? custom?.no_master);
    if (!endpoint && !noLeader) continue;
    if (method === 'basebackup' && !custom) {
      if (!endpoint) continue;
      const { args, refused } = toolArguments(ctx.config.basebackup, BASEBACKUP_FORBIDDEN);
      if (refused.length) ctx.logger.warn(`postgresql.basebackup: ignoring options the controller owns: ${refused.join(', ')}`);
      const dsn = buildConninfo({
        host: endpoint.host,
        port: endpoint.port,
        user: role.creds.username,
        dbname: endpoint.dbname,
        application_name: ctx.config.name,
        ...roleSettings,
        ...secret.fields,
      });
      // Two attempts, as Patroni; the data dir is wiped before each.
      for (let attempt = 1; attempt <= 2; attempt++) {
        await wipeDataDir(ctx);
        const r = await runProgram(bins.path('pg_basebackup'), [`--pgdata=${ctx.dataDir}`, '-X', 'stream', `--dbname=${dsn}`, ...args], {
          runAs: ctx.runAs,
          timeoutMs: remaining(ctx.clock, deadline),
          env: { PGPASSFILE: ctx.pgpassPath, ...secret.env },
          ...(signal ? { signal } : {}),
        });
        if (r.code === 0) return ok({ method });
        failures.push(`basebackup: ${lastLine(r)}`);
        if (r.timedOut || r.aborted || attempt === 2) break;
        await ctx.clock.sleep(Math.min(5000, remaining(ctx.clock, deadline)), signal).catch(() => undefined);
      }
      continue;
    }
    if (!custom) {
      failures.push(`${method}: no postgresql.${method} configuration`);
      continue;
    }
    if (!custom.keep_data) await wipeDataDir(ctx);
    const argv = splitCommand(custom.command ?? method);
    if (!custom.no_params) {
      // As Patroni: --connstring is always passed, empty without a leader; never a password
      // (the sslpassword comes through PGSERVICEFILE, as the password through PGPASSFILE).
      const connstring = endpoint
        ? buildConninfo({ host: endpoint.host, port: endpoint.port, user: role.creds.username, dbname: endpoint.dbname, ...roleSettings, ...secret.fields })
        : '';
      argv.push(`--scope=${ctx.config.scope}`, '--role=replica', `--datadir=${ctx.dataDir}`, `--connstring=${connstring}`);
      for (const [k, v] of Object.entries(custom.options ?? {})) argv.push(`--${k}=${String(v)}`);
    }
    const r = await runProgram(argv[0]!, argv.slice(1), {
      runAs: ctx.runAs,
      timeoutMs: remaining(ctx.clock, deadline),
      env: { PGPASSFILE: ctx.pgpassPath, ...secret.env },
      ...(signal ? { signal } : {}),
    });
    if (r.code === 0) return ok({ method });
    failures.push(`${method}: ${lastLine(r)}`);
  }
  // A half-written data dir must not look valid on the next cycle.
  await wipeDataDir(ctx).catch(() => undefined);
  if (failures.length === 0) return fail('no-method', `no replica creation method can run${endpoint ? '' : ' without a leader conn_url'}`);
  return fail('command-failed', `replica creation failed: ${failures.join('; ')}`);
}
