/**
 * A config the daemon cannot run with stops it at once: exit code 1 and one line per
 * problem on stderr, naming the key and the fix — never a stack trace. A DCS that does
 * not answer is not a config problem: the agent waits for it, as Patroni does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_BIN } from './cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'pgwarden-broken-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = {
  scope: 'scope: broken',
  name: 'name: node1',
  restapi: 'restapi:\n  listen: 127.0.0.1:18008\n  connect_address: 127.0.0.1:18008',
  etcd3: 'etcd3:\n  hosts: [127.0.0.1:1]',
  postgresql: `postgresql:
  listen: 127.0.0.1:15432
  connect_address: 127.0.0.1:15432
  data_dir: ${dir}/data
  bin_dir: /usr/lib/postgresql/15/bin
  authentication:
    superuser: {username: postgres, password: a}
    replication: {username: replicator, password: b}`,
};

function runWith(name: string, parts: Partial<Record<keyof typeof GOOD, string | null>>): { status: number | null; lines: string[] } {
  const doc = Object.entries({ ...GOOD, ...parts })
    .filter(([, v]) => v !== null)
    .map(([, v]) => v)
    .join('\n');
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `${doc}\n`);
  return runFile(file);
}

function runFile(file: string, args: readonly string[] = []): { status: number | null; lines: string[] } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PATRONI|PGWARDEN)_/.test(k)));
  const r = spawnSync(process.execPath, [AGENT_BIN, ...args, file], { encoding: 'utf8', timeout: 30_000, env });
  return { status: r.status, lines: r.stderr.split('\n').filter((l) => l.trim() !== '') };
}

function expectOneLine(r: { status: number | null; lines: string[] }, pattern: RegExp): void {
  expect(r.status, r.lines.join('\n')).toBe(1);
  expect(r.lines, r.lines.join('\n')).toHaveLength(1);
  expect(r.lines[0]).toMatch(pattern);
  expect(r.lines[0]).not.toMatch(/^\s+at /);
}

describe('pgwarden refuses a broken config with a one-line reason', () => {
  it('invalid YAML', () => {
    const file = join(dir, 'invalid.yml');
    writeFileSync(file, 'scope: x\nname: [unclosed\n');
    expectOneLine(runFile(file), /yaml|YAML|parse/);
  });

  it('missing scope', () => {
    expectOneLine(runWith('no-scope', { scope: null }), /^scope\b.*/);
  });

  it('restapi.listen that is not host:port', () => {
    expectOneLine(runWith('bad-listen', { restapi: 'restapi:\n  listen: localhost\n  connect_address: 127.0.0.1:18008' }), /^restapi\.listen\b/);
  });

  it('a bin_dir without the PostgreSQL programs', () => {
    const r = runWith('bad-bin-dir', { postgresql: GOOD.postgresql.replace('/usr/lib/postgresql/15/bin', dir) });
    expectOneLine(r, new RegExp(`^postgresql\\.bin_dir = ${dir}: .*not found`));
  });

  it('a DCS section with no hosts', () => {
    expectOneLine(runWith('no-hosts', { etcd3: 'etcd3: {}' }), /^etcd3\b/);
  });

  it('a DCS that does not answer is waited for, not fatal: nothing starts, SIGTERM ends the wait (--log-format json)', async () => {
    // As Patroni ("waiting on etcd" every 5 s): after a power cut the DCS may come up after
    // the agents. A local use_slots is ignored with a warning, logged as JSON before the wait.
    const file = join(dir, 'unreachable.yml');
    writeFileSync(file, `${Object.values(GOOD).join('\n')}\n  use_slots: true\n`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PATRONI|PGWARDEN)_/.test(k)));
    const child = spawn(process.execPath, [AGENT_BIN, '--log-format', 'json', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = (): Record<string, unknown>[] => stderr.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    try {
      const until = Date.now() + 30_000;
      while (lines().filter((l) => String(l.message).startsWith('Waiting on etcd3')).length < 2) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no second waiting line (exit ${child.exitCode}):\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const all = lines();
      expect(all[0]).toMatchObject({ levelname: 'WARNING', message: expect.stringContaining('postgresql.use_slots is ignored') });
      const waiting = all.filter((l) => String(l.message).startsWith('Waiting on etcd3'));
      // The line names the endpoints to check, and says nothing runs meanwhile.
      expect(waiting[0]).toMatchObject({ levelname: 'WARNING', message: expect.stringMatching(/^Waiting on etcd3 \(127\.0\.0\.1:1\): not accessible .*retrying in 5 s/) });
      // Nothing was started: no data directory, no REST API.
      expect(existsSync(join(dir, 'data'))).toBe(false);
      await expect(fetch('http://127.0.0.1:18008/liveness', { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
      // SIGHUP does not kill a waiting agent.
      child.kill('SIGHUP');
      const hupUntil = Date.now() + 10_000;
      while (!lines().some((l) => String(l.message).startsWith('SIGHUP ignored while waiting for etcd3'))) {
        if (Date.now() > hupUntil || child.exitCode !== null) throw new Error(`SIGHUP not survived (exit ${child.exitCode}):\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(lines().at(-1)).toMatchObject({ levelname: 'INFO', message: expect.stringContaining('stopped while waiting for etcd3; nothing was started') });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
