/**
 * Patroni 4.1's `--validate-config` flags, run in-process: a listen port already in use
 * fails validation unless `-i/--ignore-listen-port`; `-p/--print` prints the loaded
 * config with secrets masked.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseArgs } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/run.js';
import { tempDir, writeCustomAdapter } from '../config/helpers.js';

let dir = '';
let busy: Server;
let busyPort = 0;
let freePort = 0;

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** A port nothing listens on: bound once to learn a free number, then released. */
async function unusedPort(): Promise<number> {
  const server = await listen();
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = tempDir();
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  for (const program of ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready']) {
    writeFileSync(join(binDir, program), '#!/bin/sh\n');
    chmodSync(join(binDir, program), 0o755);
  }
  const adapter = writeCustomAdapter(dir);
  busy = await listen();
  busyPort = (busy.address() as AddressInfo).port;
  freePort = await unusedPort();
  const config = (restPort: number): string => `
scope: batman
name: node1
restapi:
  listen: 127.0.0.1:${restPort}
  connect_address: 10.0.0.11:8008
  authentication: {username: admin, password: api-secret}
mydcs:
  module: ${adapter}
  servers: [10.0.0.1:1234]
postgresql:
  listen: 127.0.0.1:${freePort}
  connect_address: 10.0.0.11:5432
  data_dir: ${join(dir, 'pgdata')}
  bin_dir: ${binDir}
  authentication:
    superuser: {username: postgres, password: su-secret}
    replication: {username: replicator, password: rep-secret}
`;
  writeFileSync(join(dir, 'busy.yml'), config(busyPort));
  writeFileSync(join(dir, 'free.yml'), config(await unusedPort()));
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

async function pgwarden(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env });
  return { code, stdout, stderr };
}

describe('--validate-config and listen ports', () => {
  it('fails when restapi.listen is already in use, naming the key and the flag', async () => {
    const result = await pgwarden(['--validate-config', join(dir, 'busy.yml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`restapi.listen: Port ${busyPort} is already in use`);
    expect(result.stderr).toContain('--ignore-listen-port');
  });

  it('passes with --ignore-listen-port (or -i)', async () => {
    expect(await pgwarden(['--validate-config', '--ignore-listen-port', join(dir, 'busy.yml')])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await pgwarden(['-i', '--validate-config', join(dir, 'busy.yml')])).code).toBe(0);
  });

  it('passes when the ports are free', async () => {
    expect(await pgwarden(['--validate-config', join(dir, 'free.yml')])).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('--validate-config --print', () => {
  it('prints the loaded config, environment included, secrets masked', async () => {
    const result = await pgwarden(['--validate-config', '--print', join(dir, 'free.yml')], { PATRONI_RESTAPI_CONNECT_ADDRESS: '10.0.0.12:8008' });
    expect(result.code).toBe(0);
    const printed = parse(result.stdout) as Record<string, any>;
    expect(printed.scope).toBe('batman');
    expect(printed.restapi.connect_address).toBe('10.0.0.12:8008');
    expect(printed.postgresql.authentication.superuser).toEqual({ username: 'postgres', password: '******' });
    for (const secret of ['api-secret', 'su-secret', 'rep-secret']) expect(result.stdout).not.toContain(secret);
  });

  it('prints nothing for an invalid config', async () => {
    const result = await pgwarden(['--validate-config', '-p', join(dir, 'busy.yml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
  });

  it('the flags belong to --validate-config', () => {
    expect(parseArgs(['--validate-config', '-p', '-i', 'x.yml'])).toEqual({ kind: 'validate-config', configPath: 'x.yml', print: true, ignoreListenPort: true });
    expect(parseArgs(['--print', 'x.yml'])).toEqual({ kind: 'usage-error', message: 'argument --print: only allowed with --validate-config' });
    expect(parseArgs(['--generate-sample-config', '-i'])).toEqual({ kind: 'usage-error', message: 'argument -i: only allowed with --validate-config' });
  });
});
