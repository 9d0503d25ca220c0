import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { buildSampleConfig } from '../../src/cli/sample-config.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { tempDir } from '../config/helpers.js';

function captureIo(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
}

describe('pgwarden --version', () => {
  it('prints the agent version and the Patroni version it follows', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(0);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(io.out.join('')).toBe(`pgwarden ${version} (Patroni 3.3.1 compatible)\n`);
  });
});

describe('pgwarden --generate-sample-config', () => {
  it('prints a YAML config in Patroni section order, with #FIXME placeholders and env values', async () => {
    const io = captureIo({ PATRONI_SCOPE: 'from-env', PATRONI_ETCD3_HOSTS: 'e1:2379,e2:2379' });
    expect(await runCli(['--generate-sample-config'], io)).toBe(0);
    const text = io.out.join('');
    const doc = parsePatroniYaml(text, 'generated') as Record<string, any>;
    expect(doc.scope).toBe('from-env');
    expect(doc.etcd3).toEqual({ hosts: ['e1:2379', 'e2:2379'] });
    expect(doc.postgresql.data_dir).toBe('#FIXME');
    expect(doc.postgresql.authentication.superuser).toEqual({ username: 'postgres', password: '#FIXME' });
    expect(doc.bootstrap.dcs).toMatchObject({ ttl: 30, loop_wait: 10, retry_timeout: 10, postgresql: { use_slots: true, use_pg_rewind: true } });
    expect(doc.bootstrap.dcs.postgresql.parameters).toMatchObject({ max_connections: 100, wal_level: 'replica' });
    expect(doc.tags).toEqual({ failover_priority: 1, noloadbalance: false, clonefrom: true, nosync: false, nostream: false });
    const order = ['scope:', 'name:', 'log:', 'restapi:', 'etcd3:', 'bootstrap:', 'postgresql:', 'tags:'].map((k) => text.indexOf(`\n${k}`) >= 0 ? text.indexOf(`\n${k}`) : text.indexOf(k));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('# The bootstrap configuration. Works only when the cluster is not yet initialized.');
  });

  it('follows the Postgres major version: wal_keep_segments and md5 before 13/10, rewind user from 11', () => {
    const old = buildSampleConfig({}, 90600) as Record<string, any>;
    expect(old.bootstrap.dcs.postgresql.parameters).toMatchObject({ wal_keep_segments: 8, wal_level: 'replica' });
    expect(old.postgresql.pg_hba).toEqual(['host all all all md5', 'host replication replicator all md5']);
    expect(old.postgresql.authentication.rewind).toBeUndefined();
    const current = buildSampleConfig({}, 150000) as Record<string, any>;
    expect(current.bootstrap.dcs.postgresql.parameters).toMatchObject({ wal_keep_size: '128MB' });
    expect(current.postgresql.parameters).toEqual({ password_encryption: 'scram-sha-256' });
    expect(current.postgresql.authentication.rewind).toEqual({ username: 'rewind_user', password: '#FIXME' });
  });

  it('writes to the given file', async () => {
    const file = join(tempDir(), 'sub', 'out.yml');
    const io = captureIo();
    expect(await runCli(['--generate-sample-config', file], io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('bootstrap:');
    expect(io.err).toEqual([]);
  });
});

describe('pgwarden usage errors', () => {
  it('exits 2 with the usage on a bad command line', async () => {
    const io = captureIo();
    expect(await runCli(['--validate-config', '--generate-config'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/^usage: pgwarden/);
  });
});
