/**
 * `pgwarden --validate-config FILE` run as a child process of the built CLI
 * (bin/pgwarden.js → dist/main.js; turbo builds before the tests run).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeCustomAdapter } from '../config/helpers.js';

const bin = fileURLToPath(new URL('../../bin/pgwarden.js', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * These configs listen on 8008 and 5432; the listen-port probe is tested on its own
 * (validate-print-ports.test.ts), so it is skipped here: a Postgres someone runs on 5432
 * must not fail these tests.
 */
function pgwarden(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const withoutPortProbe = args.includes('--validate-config') ? ['--ignore-listen-port', ...args] : args;
  const result = spawnSync(process.execPath, [bin, ...withoutPortProbe], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir = '';
let binDir = '';
let adapter = '';

/** A config valid in full mode: reachable addresses, a fresh data dir, a bin dir with the programs. */
function config(overrides = ''): string {
  return `
scope: batman
name: node1
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.0.0.11:8008
  authentication: {username: admin, password: api-secret}
mydcs:
  module: ${adapter}
  servers: [10.0.0.1:1234]
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.11:5432
  data_dir: ${join(dir, 'pgdata')}
  bin_dir: ${binDir}
  authentication:
    superuser: {username: postgres, password: su-secret}
    replication: {username: replicator, password: rep-secret}
${overrides}`;
}

beforeAll(() => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build the agent first (pnpm --filter @pgwarden/agent build)`);
  dir = tempDir();
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  for (const program of ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready']) {
    writeFileSync(join(binDir, program), '#!/bin/sh\n');
    chmodSync(join(binDir, program), 0o755);
  }
  adapter = writeCustomAdapter(dir);
});

describe('pgwarden --validate-config (child process)', () => {
  it('exits 0 and prints nothing for a valid config', () => {
    const file = join(dir, 'valid.yml');
    writeFileSync(file, config());
    const result = pgwarden(['--validate-config', file]);
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('exits 1 with one line per issue, secrets masked', () => {
    const file = join(dir, 'invalid.yml');
    writeFileSync(
      file,
      config(`
tags:
  nofailover: maybe
watchdog:
  mode: sometimes
log:
  type: xml
ctl:
  keyfile_password: [not-a-string-secret]
`).replace('connect_address: 10.0.0.11:5432', 'connect_address: 127.0.0.1:5432'),
    );
    const result = pgwarden(['--validate-config', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'ctl.keyfile_password = "******": is not a string; quote it if YAML reads it as a number or boolean',
      'postgresql.connect_address = "127.0.0.1:5432": must not contain "127.0.0.1", "0.0.0.0", "*", "::1", "localhost"; use an address other nodes can reach',
      'watchdog.mode = "sometimes": must be one of off, automatic, required',
      'tags.nofailover = "maybe": is not a boolean; use true or false',
      'log.type = "xml": must be one of plain, json',
    ]);
    expect(result.stderr).not.toContain('not-a-string-secret');
  });

  it('applies PATRONI_ and PGWARDEN_ variables over the file, PGWARDEN_ winning', () => {
    const file = join(dir, 'env.yml');
    writeFileSync(file, config());
    const broken = pgwarden(['--validate-config', file], { PATRONI_RESTAPI_LISTEN: 'no-port-here' });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^restapi.listen = "no-port-here": expected <HOST>:<PORT>/);
    const fixed = pgwarden(['--validate-config', file], { PATRONI_RESTAPI_LISTEN: 'no-port-here', PGWARDEN_RESTAPI_LISTEN: '0.0.0.0:9008' });
    expect(fixed.status).toBe(0);
  });

  it('validates a directory of YAML files merged in order', () => {
    const confDir = join(dir, 'conf.d');
    mkdirSync(confDir);
    writeFileSync(join(confDir, '00-base.yml'), config());
    writeFileSync(join(confDir, '10-site.yml'), 'etcd:\n  host: 10.0.0.1:2379\n');
    const result = pgwarden(['--validate-config', confDir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^etcd: the etcd v2 API is not supported; rename the section to etcd3/m);
  });

  it('exits 1 when the file is missing or is not YAML', () => {
    expect(pgwarden(['--validate-config', join(dir, 'nope.yml')])).toMatchObject({ status: 1, stderr: expect.stringMatching(/does not exist/) });
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'scope: [unclosed\n');
    expect(pgwarden(['--validate-config', bad])).toMatchObject({ status: 1, stderr: expect.stringMatching(/is not valid YAML/) });
  });

  it('prints the version', () => {
    expect(pgwarden(['--version'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^pgwarden \d+\.\d+\.\d+ \(Patroni 3\.3\.1 compatible\)\n$/) });
  });
});
