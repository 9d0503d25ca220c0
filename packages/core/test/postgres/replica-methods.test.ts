/**
 * Replica creation methods on real PostgreSQL 15 (spec §3.7): `create_replica_methods`
 * are tried in order until one exits 0 (a failing custom method, then basebackup); a
 * custom method gets `--scope --role=replica --datadir --connstring` (no password) plus
 * its options; without a leader only `no_leader` methods run, never basebackup.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, REPLICATION, type Node } from './helpers.js';
import { ScriptDir } from './scripts.js';

describe('LocalPostgresController: create_replica_methods', () => {
  let sandbox: PostgresSandbox;
  let s: ScriptDir;
  let primary: Node;
  const nodes: Node[] = [];
  /** argv of each logged call, split on the `|` the scripts put between arguments. */
  const calls = (name: string): string[][] => s.lines().filter((l) => l[1] === name).map((l) => l.slice(2).join(' ').split('|').slice(0, -1));

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-clone-' });
    s = new ScriptDir(sandbox, 'scripts');
    primary = await makeNode(sandbox, 'primary', {}, {
      pg_hba: ['local all all trust', 'local replication all trust', 'host replication replicator 127.0.0.1/32 md5'],
    });
    nodes.push(primary);
    expect(await primary.controller.bootstrap()).toEqual({ ok: true });
    expect(await primary.controller.postBootstrap()).toEqual({ ok: true });
    const sock = String(primary.config.parameters?.['unix_socket_directories']);
    // Leaves debris in the data dir, then fails: the next method must not see it.
    s.script('broken.sh', `echo "$(date +%s%N) broken $(printf '%s|' "$@")" >> "$LOG"
for a in "$@"; do case "$a" in --datadir=*) touch "\${a#--datadir=}/debris";; esac; done
echo "archive unreachable" >&2; exit 1`);
    // "Restores from an archive" (here: a base backup over the primary's socket), needs no leader.
    s.script('archive.sh', `echo "$(date +%s%N) archive $(printf '%s|' "$@")" >> "$LOG"
for a in "$@"; do case "$a" in --datadir=*) D="\${a#--datadir=}";; esac; done
'${sandbox.binDir}/pg_basebackup' -c fast -D "$D" -X stream -d 'host=${sock} port=${primary.port} user=postgres'`);
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

  const replica = async (name: string, methods: string[]): Promise<Node> => {
    const n = await makeNode(sandbox, name, {}, {
      create_replica_methods: methods,
      replica_methods: {
        broken: { command: join(s.dir, 'broken.sh'), options: { bucket: 'b1' } },
        archive: { command: join(s.dir, 'archive.sh'), no_leader: true },
      },
    });
    nodes.push(n);
    return n;
  };

  it('falls through a failing custom method to basebackup, which copies the primary', async () => {
    const r = await replica('r1', ['broken', 'basebackup']);
    const upstream = { name: primary.name, connUrl: primary.connUrl };
    expect(await r.controller.clone({ upstream })).toEqual({ ok: true, value: { method: 'basebackup' } });
    const [argv] = calls('broken');
    expect(argv).toEqual([
      '--scope=walk',
      '--role=replica',
      `--datadir=${r.config.data_dir}`,
      `--connstring=host=127.0.0.1 port=${primary.port} user=replicator dbname=postgres`,
      '--bucket=b1',
    ]);
    expect(argv!.join(' ')).not.toContain(REPLICATION.password);
    expect(existsSync(join(r.config.data_dir, 'debris'))).toBe(false);
    // A copy of the primary: the same system identifier.
    const sysid = ((await primary.controller.dataDirState()) as { sysid?: string }).sysid;
    expect(sysid).toMatch(/^\d{10,}$/);
    expect(await r.controller.dataDirState()).toMatchObject({ kind: 'valid', sysid });
  });

  it('without a leader runs only no_leader methods (never basebackup), with an empty --connstring', async () => {
    const r = await replica('r2', ['basebackup', 'broken', 'archive']);
    expect(await r.controller.clone({ upstream: null })).toEqual({ ok: true, value: { method: 'archive' } });
    expect(calls('broken')).toHaveLength(1); // only r1's call: skipped here
    expect(calls('archive')).toEqual([['--scope=walk', '--role=replica', `--datadir=${r.config.data_dir}`, '--connstring=']]);
    expect(await r.controller.dataDirState()).toMatchObject({ kind: 'valid' });

    // Nothing that may run without a leader: a clear failure, nothing left behind.
    const r3 = await replica('r3', ['basebackup', 'broken']);
    expect(await r3.controller.clone({ upstream: null })).toMatchObject({ ok: false, code: 'no-method' });
    expect(existsSync(r3.config.data_dir) ? readdirSync(r3.config.data_dir) : []).toEqual([]);
  });
});
