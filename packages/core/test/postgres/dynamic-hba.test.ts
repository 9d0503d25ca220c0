/**
 * `/config`'s pg_hba, pg_ident and recovery_conf reach a running PostgreSQL 15 through
 * applyParameters: files rewritten and one reload, the same postmaster (no restart).
 * Patroni's precedence: patroni.yml's pg_hba wins while it is set, and /config's comes
 * back when it is removed. A replica's recovery section follows recovery_conf, and a
 * replica adopted by a fresh controller (agent restarted) keeps streaming.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { LocalPostgresController, MemoryLogger, type DynamicConfigFiles } from '../../src/index.js';
import { makeNode, sql, waitFor, type Node } from './helpers.js';

const APP = { user: 'app_user', password: 'app-secret-3' };
const DYNAMIC_PARAMETERS = { work_mem: '6MB' };
/** /config's pg_hba: the superuser keeps its socket, app_user is refused over TCP. */
const REJECT_APP = [
  'local all all trust',
  `host all ${APP.user} 127.0.0.1/32 reject`,
  'host all all 127.0.0.1/32 md5',
  'host replication replicator 127.0.0.1/32 md5',
];
const LOCAL_HBA = ['local all all trust', 'host all all 127.0.0.1/32 md5', 'host replication replicator 127.0.0.1/32 md5'];
const NO_FILES: DynamicConfigFiles = { pgHba: null, pgIdent: null, recoveryConf: null };

async function connectAsApp(node: Node): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port: node.port, user: APP.user, password: APP.password, database: 'postgres', connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'connected';
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('LocalPostgresController: dynamic pg_hba, pg_ident and recovery_conf', () => {
  let sandbox: PostgresSandbox;
  let primary: Node;
  let replica: Node;
  let adopted: LocalPostgresController | null = null;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-dynhba-' });
    // No local pg_hba/pg_ident: /config's are the ones in force.
    primary = await makeNode(sandbox, 'dyn-a', DYNAMIC_PARAMETERS, { pg_hba: undefined });
    expect(await primary.controller.bootstrap()).toEqual({ ok: true });
    expect(await primary.controller.postBootstrap()).toEqual({ ok: true });
    await sql(primary, `CREATE ROLE ${APP.user} LOGIN PASSWORD '${APP.password}'`);
  });

  afterAll(async () => {
    await adopted?.close();
    await replica?.controller.stop('immediate', { timeoutMs: 10_000 });
    await replica?.controller.close();
    await primary?.controller.stop('immediate', { timeoutMs: 10_000 });
    await primary?.controller.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('rewrites pg_hba.conf and pg_ident.conf from /config and reloads: a refused role is refused at once, no restart', async () => {
    expect(await connectAsApp(primary)).toBe('connected');
    const pid = primary.controller.status().postmasterPid;
    const r = await primary.controller.applyParameters(DYNAMIC_PARAMETERS, {
      timeoutMs: 10_000,
      files: { pgHba: REJECT_APP, pgIdent: ['dynmap osuser app_user'], recoveryConf: null },
    });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    if (!r.ok) return;
    expect(r.value!.rewritten).toEqual(['pg_hba.conf', 'pg_ident.conf']);
    expect(Object.keys(r.value!.pendingRestart)).toEqual([]);
    expect(await connectAsApp(primary)).toMatch(/pg_hba\.conf rejects connection .*user "app_user"/);
    expect(primary.controller.status().postmasterPid).toBe(pid);
    expect(readFileSync(join(primary.config.data_dir, 'pg_hba.conf'), 'utf8')).toBe(REJECT_APP.join('\n') + '\n');
    expect(await sql(primary, "SELECT 1 FROM pg_ident_file_mappings WHERE map_name = 'dynmap' AND pg_username = 'app_user'")).toHaveLength(1);
  });

  it("patroni.yml's pg_hba wins over /config's while it is set; /config's comes back when it is removed", async () => {
    // A SIGHUP'd patroni.yml that now sets pg_hba: the local list replaces /config's.
    const withLocal = await primary.controller.reloadConfig({ ...primary.config, pg_hba: LOCAL_HBA }, { timeoutMs: 10_000 });
    expect(withLocal.ok).toBe(true);
    expect(await connectAsApp(primary)).toBe('connected');
    // A new /config pg_hba changes nothing while the local one is set, and says so.
    const r = await primary.controller.applyParameters(DYNAMIC_PARAMETERS, {
      timeoutMs: 10_000,
      files: { pgHba: [...REJECT_APP, '# edited'], pgIdent: null, recoveryConf: null },
    });
    expect(r.ok && r.value!.rewritten).toEqual([]);
    expect(await connectAsApp(primary)).toBe('connected');
    expect(readFileSync(join(primary.config.data_dir, 'pg_hba.conf'), 'utf8')).toBe(LOCAL_HBA.join('\n') + '\n');
    expect(primary.logger.lines.some((l) => l.message.includes('postgresql.pg_hba of the dynamic configuration is not used'))).toBe(true);
    // patroni.yml without pg_hba again: /config's is back in force.
    const without = await primary.controller.reloadConfig(primary.config, { timeoutMs: 10_000 });
    expect(without.ok).toBe(true);
    expect(await connectAsApp(primary)).toMatch(/pg_hba\.conf rejects connection/);
  });

  it("a replica's recovery section follows /config's recovery_conf (pre-12 standby_mode left out), through a reload", async () => {
    replica = await makeNode(sandbox, 'dyn-b', DYNAMIC_PARAMETERS, { pg_hba: undefined, use_slots: false });
    expect(await replica.controller.clone({ upstream: { name: primary.name, connUrl: primary.connUrl } })).toMatchObject({ ok: true });
    expect(await replica.controller.follow({ upstream: { name: primary.name, connUrl: primary.connUrl } })).toMatchObject({ ok: true });
    await waitFor('dyn-b streaming', async () => (await sql<{ s: string }>(replica, 'SELECT status AS s FROM pg_stat_wal_receiver'))[0]?.s === 'streaming');
    const pid = replica.controller.status().postmasterPid;
    const restore = 'cp /nonexistent-archive/%f %p';
    const r = await replica.controller.applyParameters(DYNAMIC_PARAMETERS, {
      timeoutMs: 10_000,
      files: { pgHba: REJECT_APP, pgIdent: null, recoveryConf: { restore_command: restore, recovery_min_apply_delay: '1s', standby_mode: 'on' } },
    });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    expect(r.ok && r.value!.rewritten).toEqual(['pg_hba.conf', 'recovery_conf']);
    expect((await sql<{ v: string }>(replica, "SELECT current_setting('restore_command') AS v"))[0]!.v).toBe(restore);
    expect((await sql<{ v: string }>(replica, "SELECT current_setting('recovery_min_apply_delay') AS v"))[0]!.v).toBe('1s');
    expect((await sql<{ v: string }>(replica, "SELECT current_setting('primary_conninfo') AS v"))[0]!.v).toContain('application_name=dyn-b');
    expect(replica.controller.status().postmasterPid).toBe(pid);
    expect(await connectAsApp(replica)).toMatch(/pg_hba\.conf rejects connection/);
  });

  it('a replica adopted by a fresh controller gets /config pg_hba without losing its recovery settings', async () => {
    // The agent restarted: this controller has not pointed the replica anywhere yet.
    adopted = new LocalPostgresController({ config: replica.config, logger: new MemoryLogger(), dynamicParameters: DYNAMIC_PARAMETERS });
    expect(await adopted.isRunning()).toBe(true);
    const r = await adopted.applyParameters(DYNAMIC_PARAMETERS, {
      timeoutMs: 10_000,
      files: { ...NO_FILES, pgHba: [...LOCAL_HBA, `host all ${APP.user} 10.9.9.9/32 md5`] },
    });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    expect(await connectAsApp(replica)).toBe('connected');
    expect(existsSync(join(replica.config.data_dir, 'standby.signal'))).toBe(true);
    expect((await sql<{ v: string }>(replica, "SELECT current_setting('primary_conninfo') AS v"))[0]!.v).toContain('application_name=dyn-b');
    expect((await sql<{ s: string }>(replica, 'SELECT status AS s FROM pg_stat_wal_receiver'))[0]?.s).toBe('streaming');
  });
});
