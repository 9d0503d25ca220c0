/**
 * Custom bootstrap methods and the post_bootstrap script on real PostgreSQL 15
 * (spec §3.6): the command gets `--scope --datadir` plus its extra keys; the method's
 * `recovery_conf` is applied (a PITR that promotes to timeline 2), or the method's own
 * recovery config is kept with `keep_existing_recovery_conf`; a failing method fails the
 * bootstrap and never falls back to initdb; post_bootstrap gets a working superuser
 * connection string as its argument and its exit code decides.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, sql, type Node } from './helpers.js';
import { ScriptDir } from './scripts.js';

/** Recovery that ends at once and promotes: proof that recovery ran is timeline 2. */
const PITR = { restore_command: 'false', recovery_target: 'immediate', recovery_target_action: 'promote' };

describe('LocalPostgresController: custom bootstrap and post_bootstrap', () => {
  let sandbox: PostgresSandbox;
  let s: ScriptDir;
  const nodes: Node[] = [];

  const walTimeline = async (n: Node): Promise<string> =>
    (await sql<{ t: string }>(n, 'SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS t'))[0]!.t;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-boot-' });
    s = new ScriptDir(sandbox, 'scripts');
    // The cluster the "backups" are taken from.
    const source = await makeNode(sandbox, 'source', {}, { pg_hba: ['local all all trust', 'local replication all trust'] });
    nodes.push(source);
    expect(await source.controller.bootstrap()).toEqual({ ok: true });
    const sock = String(source.config.parameters?.['unix_socket_directories']);
    // A "restore": a base backup into --datadir; with --own-recovery it also leaves its
    // own recovery config, as pgBackRest does.
    s.script(
      'restore.sh',
      `echo "$(date +%s%N) restore $*" >> "$LOG"
for a in "$@"; do case "$a" in --datadir=*) D="\${a#--datadir=}";; esac; done
'${sandbox.binDir}/pg_basebackup' -c fast -D "$D" -X stream -d 'host=${sock} port=${source.port} user=postgres' || exit 1
case " $* " in *" --own-recovery=yes "*)
  printf "restore_command = 'false'\\nrecovery_target = 'immediate'\\nrecovery_target_action = 'promote'\\n" >> "$D/postgresql.auto.conf"
  touch "$D/recovery.signal";;
esac`,
    );
    s.script('broken.sh', 'echo "$(date +%s%N) broken $*" >> "$LOG"\necho "no backup found for $2" >&2\nexit 3');
    s.script(
      'post.sh',
      `echo "$(date +%s%N) post $# $1 $PGPASSFILE" "$PGOPTIONS" >> "$LOG"
'${sandbox.binDir}/psql' "$1" -v ON_ERROR_STOP=1 -qc 'CREATE TABLE made_by_post_bootstrap ()' || exit 2`,
    );
  });

  afterAll(async () => {
    for (const n of nodes) {
      await n.controller.stop('immediate', { timeoutMs: 10_000, checkpoint: false });
      await n.controller.close();
    }
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  const node = async (name: string, method: string, post?: string): Promise<Node> => {
    const n = await makeNode(sandbox, name, {}, {
      bootstrap: {
        method,
        ...(post ? { post_bootstrap: join(s.dir, post) } : {}),
        methods: {
          pitr: { command: `${join(s.dir, 'restore.sh')} --from=nightly`, recovery_conf: PITR, options: { label: 'l1' } },
          own: { command: join(s.dir, 'restore.sh'), keep_existing_recovery_conf: true, options: { 'own-recovery': 'yes' } },
          broken: { command: join(s.dir, 'broken.sh') },
        },
      },
    });
    nodes.push(n);
    return n;
  };

  it('runs the command with --scope --datadir and its options, applies its recovery_conf, then post_bootstrap', async () => {
    const n = await node('pitr', 'pitr', 'post.sh');
    expect(await n.controller.bootstrap()).toEqual({ ok: true });
    const call = s.lines().find((l) => l[1] === 'restore')!;
    expect(call.slice(2)).toEqual(['--from=nightly', '--scope=walk', `--datadir=${n.config.data_dir}`, '--label=l1']);
    // The method's recovery_conf ran an archive recovery that promoted: a new timeline,
    // with hot_standby off meanwhile so nothing connected before the promotion.
    expect(await walTimeline(n)).toBe('00000002');
    expect((await sql<{ hot_standby: string }>(n, 'SHOW hot_standby'))[0]!.hot_standby).toBe('off');
    expect(readFileSync(join(n.config.data_dir, 'postgresql.conf'), 'utf8')).toContain("recovery_target_action = 'promote'");

    expect(await n.controller.postBootstrap()).toEqual({ ok: true });
    const post = s.lines().find((l) => l[1] === 'post')!;
    expect(post[2]).toBe('1'); // the connection string is the only argument
    expect(post[4]).toBe(n.config.pgpass);
    expect(post.slice(5).join(' ')).toBe('-c synchronous_commit=local -c statement_timeout=0');
    expect(await sql(n, "SELECT 1 FROM pg_class WHERE relname = 'made_by_post_bootstrap'")).toHaveLength(1);
    // The method's recovery settings are gone again.
    expect(readFileSync(join(n.config.data_dir, 'postgresql.conf'), 'utf8')).not.toContain('recovery_target_action');
  });

  it('keeps the recovery config the method wrote with keep_existing_recovery_conf; a failing post_bootstrap fails', async () => {
    s.script('post-fail.sh', 'echo "cannot create extension" >&2\nexit 1');
    const n = await node('own', 'own', 'post-fail.sh');
    expect(await n.controller.bootstrap()).toEqual({ ok: true });
    expect(await walTimeline(n)).toBe('00000002');
    expect(await n.controller.postBootstrap()).toEqual({ ok: false, code: 'command-failed', message: 'post_bootstrap script failed: cannot create extension' });
  });

  it('fails on a failing method without falling back to initdb', async () => {
    const n = await node('broken', 'broken');
    const r = await n.controller.bootstrap();
    expect(r).toMatchObject({ ok: false, code: 'command-failed' });
    if (!r.ok) expect(r.message).toBe('bootstrap method broken failed: no backup found for --datadir=' + n.config.data_dir);
    expect(existsSync(n.config.data_dir) ? readdirSync(n.config.data_dir) : []).toEqual([]);
    expect(n.controller.status().state).toBe('custom bootstrap failed');
  });
});
