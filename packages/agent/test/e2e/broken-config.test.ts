/**
 * A config the daemon cannot run with stops it at once: exit code 1 and one line per
 * problem on stderr, naming the key and the fix — never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('a DCS that does not answer (and --log-format json for what was logged before)', () => {
    // A local use_slots is ignored with a warning: logged as JSON before the DCS is tried.
    const file = join(dir, 'unreachable.yml');
    writeFileSync(file, `${Object.values(GOOD).join('\n')}\n  use_slots: true\n`);
    const r = runFile(file, ['--log-format', 'json']);
    expect(r.status, r.lines.join('\n')).toBe(1);
    expect(r.lines).toHaveLength(2);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ levelname: 'WARNING', message: expect.stringContaining('postgresql.use_slots is ignored') });
    expect(r.lines[1]).toMatch(/^cannot connect to etcd3: .*127\.0\.0\.1:1/);
  });
});
