import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import { isBinaries } from './binaries.js';
import { appendHba } from './config-files.js';
import type { LocalContext } from './context.js';
import { writeOwnedFile } from './owned-file.js';
import { lastLine, runProgram } from './run-program.js';
import { splitCommand, toolArguments } from './tool-options.js';
import { chown } from 'node:fs/promises';

const INITDB_FORBIDDEN = ['pgdata', 'nosync', 'pwfile', 'sync-only', 'version', 'D', 'username', 'U'];

/**
 * Creates the data directory of a new cluster: `initdb` with `bootstrap.initdb` options
 * (superuser password through a temporary pwfile, never argv), or the custom
 * `bootstrap.method` command. Appends `bootstrap.pg_hba` when no `postgresql.pg_hba`
 * owns the file. Does not start Postgres.
 */
export async function initializeDataDir(ctx: LocalContext, timeoutMs: number, signal?: AbortSignal): Promise<PgResult> {
  const bins = await ctx.binaries();
  if (!isBinaries(bins)) return bins;
  const boot = ctx.config.bootstrap ?? {};
  const method = boot.method ?? 'initdb';
  if (method === 'initdb') {
    const { args, refused } = toolArguments(boot.initdb, INITDB_FORBIDDEN);
    if (refused.length) ctx.logger.warn(`bootstrap.initdb: ignoring options the controller owns: ${refused.join(', ')}`);
    const su = ctx.config.authentication.superuser;
    const pwfile = `${ctx.pgpassPath}.initdb-pw`;
    const fullArgs = ['-D', ctx.dataDir, `--username=${su.username}`, ...args];
    if (su.password !== undefined) {
      await writeOwnedFile(pwfile, su.password + '\n', 0o600, ctx.runAs);
      fullArgs.push(`--pwfile=${pwfile}`);
    }
    await mkdir(ctx.dataDir, { recursive: true, mode: 0o700 });
    if (ctx.runAs) await chown(ctx.dataDir, ctx.runAs.uid, ctx.runAs.gid);
    try {
      const r = await runProgram(bins.path('initdb'), fullArgs, { runAs: ctx.runAs, timeoutMs, ...(signal ? { signal } : {}) });
      if (r.code !== 0) return fail('command-failed', `initdb failed: ${lastLine(r)}`);
    } finally {
      await rm(pwfile, { force: true });
    }
  } else {
    const m = boot.methods?.[method];
    if (!m) return fail('invalid-config', `bootstrap.method ${method} has no bootstrap.${method}.command`);
    const argv = splitCommand(m.command);
    if (!m.no_params) {
      argv.push(`--scope=${ctx.config.scope}`, `--datadir=${ctx.dataDir}`);
      for (const [k, v] of Object.entries(m.options ?? {})) argv.push(`--${k}=${String(v)}`);
    }
    const r = await runProgram(argv[0]!, argv.slice(1), {
      runAs: ctx.runAs,
      timeoutMs,
      env: { PGPASSFILE: ctx.pgpassPath },
      ...(signal ? { signal } : {}),
    });
    if (r.code !== 0) return fail('command-failed', `bootstrap method ${method} failed: ${lastLine(r)}`);
    // A restored backup may carry a promote trigger: Postgres must not promote by itself.
    await rm(resolve(ctx.dataDir, ctx.config.recovery_conf?.['promote_trigger_file'] ?? 'promote'), { force: true });
  }
  if (boot.pg_hba && !ctx.config.pg_hba) await appendHba(ctx.configDir, boot.pg_hba, ctx.runAs);
  return ok();
}
