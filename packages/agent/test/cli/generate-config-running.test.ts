/**
 * `pgwarden --generate-config --dsn DSN` against a real running PostgreSQL: the config
 * is filled in from the server as Patroni's generator does (parameters by source, data
 * directory, cluster_name as scope, listen, pg_hba/pg_ident from the default files, and
 * bin_dir from the running postmaster).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, PostgresSandbox } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';

function captureIo(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
}

const HBA = ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 scram-sha-256'];

describe('pgwarden --generate-config from a running Postgres', () => {
  let sandbox: PostgresSandbox;
  let dataDir: string;
  let sock: string;
  let port: number;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-genconf-' });
    dataDir = sandbox.dataDirPath('data');
    sock = sandbox.mkdir('sock', 0o755);
    port = await freeLoopbackPort();
    sandbox.runSync('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    const conf = join(dataDir, 'postgresql.conf');
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}\ncluster_name = 'gen-scope'\nmax_connections = 37\nwork_mem = '8MB'\narchive_mode = on\narchive_command = 'true'\n`);
    writeFileSync(join(dataDir, 'pg_hba.conf'), `# comment\n\n${HBA.join('\n')}\n`);
    writeFileSync(join(dataDir, 'pg_ident.conf'), '# MAPNAME SYSTEM-USERNAME PG-USERNAME\nops root postgres\n');
    sandbox.chownToPostgres(join(dataDir, 'pg_hba.conf'));
    sandbox.chownToPostgres(join(dataDir, 'pg_ident.conf'));
    mkdirSync(join(sandbox.root, 'logs'), { recursive: true });
    sandbox.chownToPostgres(join(sandbox.root, 'logs'));
    sandbox.runSync('pg_ctl', ['-D', dataDir, '-w', '-t', '60', '-l', join(sandbox.root, 'logs', 'pg.log'), '-o', `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1`, 'start']);
    sandbox.runSync('psql', ['-h', sock, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', 'CREATE ROLE plain LOGIN']);
  });

  afterAll(() => sandbox?.cleanup());

  it('fills the config in from the server', async () => {
    const io = captureIo();
    const code = await runCli(['--generate-config', '--dsn', `host=${sock} port=${port} user=postgres dbname=postgres`], io);
    expect(code, io.err.join('')).toBe(0);
    const doc = parsePatroniYaml(io.out.join(''), 'generated') as Record<string, any>;
    expect(doc.scope).toBe('gen-scope');
    const pg = doc.postgresql;
    expect(pg.data_dir).toBe(dataDir);
    expect(pg.bin_dir).toBe(sandbox.binDir);
    expect(pg.listen).toBe(`127.0.0.1:${port}`);
    expect(pg.connect_address).toMatch(new RegExp(`:${port}$`));
    expect(pg.authentication.superuser).toEqual({ username: 'postgres', password: '#FIXME' });
    expect(pg.authentication.replication).toEqual({ username: '#FIXME', password: '#FIXME' });
    // Commands and file paths stay local; the rest goes to bootstrap.dcs.
    expect(pg.parameters).toMatchObject({ archive_command: 'true', hba_file: join(dataDir, 'pg_hba.conf'), ident_file: join(dataDir, 'pg_ident.conf') });
    const dynamic = doc.bootstrap.dcs.postgresql.parameters;
    expect(dynamic).toMatchObject({ max_connections: '37', work_mem: '8MB', archive_mode: 'on' });
    expect(dynamic.archive_command).toBeUndefined();
    expect(dynamic.cluster_name).toBeUndefined();
    expect(pg.pg_hba).toEqual(HBA);
    expect(pg.pg_ident).toEqual(['ops root postgres']);
  });

  it('takes a URI DSN and writes a private file', async () => {
    const file = join(sandbox.root, 'out', 'patroni.yml');
    const io = captureIo();
    const code = await runCli(['--generate-config', '--dsn', `postgresql://postgres@127.0.0.1:${port}/postgres`, file], io);
    expect(code, io.err.join('')).toBe(0);
    expect((parsePatroniYaml(readFileSync(file, 'utf8'), 'file') as Record<string, any>).postgresql.data_dir).toBe(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('without --dsn uses the libpq variables', async () => {
    const io = captureIo({ PGHOST: sock, PGPORT: String(port), PGUSER: 'postgres' });
    expect(await runCli(['--generate-config'], io)).toBe(0);
    expect((parsePatroniYaml(io.out.join(''), 'generated') as Record<string, any>).postgresql.data_dir).toBe(dataDir);
  });

  it('refuses a user without superuser privilege, and an unreachable server, with one line and exit 1', async () => {
    const plain = captureIo();
    expect(await runCli(['--generate-config', '--dsn', `host=${sock} port=${port} user=plain dbname=postgres`], plain)).toBe(1);
    expect(plain.err.join('')).toBe('The provided user does not have superuser privilege\n');
    const down = captureIo();
    expect(await runCli(['--generate-config', '--dsn', `host=127.0.0.1 port=1 user=postgres`], down)).toBe(1);
    expect(down.err.join('')).toMatch(/^Failed to establish PostgreSQL connection: .*\n$/);
    expect(down.out).toEqual([]);
  });
});
