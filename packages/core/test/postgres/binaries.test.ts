/**
 * Finding the PostgreSQL programs without `bin_dir` (through PATH, as Patroni does) and
 * refusing a data directory of another major version with one clear line, touching
 * nothing (docs/postgres-controller.md, "Binaries").
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { LocalPostgresController } from '../../src/index.js';
import { makeNode, type Node } from './helpers.js';

function digestTree(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      h.update(p);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('LocalPostgresController: binaries', () => {
  const savedPath = process.env['PATH'];
  let sandbox: PostgresSandbox;
  let pathBin: string;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-bin-' });
    // Symlinks to the PG 15 programs, minus pg_config, so the lookup must go through `postgres` on PATH.
    pathBin = sandbox.mkdir('path-bin', 0o755);
    for (const p of readdirSync(sandbox.binDir)) if (p !== 'pg_config') symlinkSync(join(sandbox.binDir, p), join(pathBin, p));
    node = await makeNode(sandbox, 'bins', {});
    expect(node.config.bin_dir).toBeUndefined();
  });

  afterAll(async () => {
    process.env['PATH'] = savedPath;
    await node?.controller.stop('immediate', { timeoutMs: 10_000, checkpoint: false });
    await node?.controller.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('finds the programs through PATH when bin_dir is not set, and names PATH when they are not there', async () => {
    // Only our directory on PATH: no /usr/bin/pg_config, no Debian fallback (the data dir is empty).
    process.env['PATH'] = pathBin;
    try {
      expect(await node.controller.bootstrap()).toEqual({ ok: true });
      expect(await node.controller.stop('fast')).toEqual({ ok: true });

      process.env['PATH'] = sandbox.mkdir('empty-bin', 0o755);
      const lost = new LocalPostgresController({ config: { ...node.config, data_dir: join(sandbox.root, 'nowhere') } });
      expect(await lost.controlData()).toMatchObject({
        ok: false,
        code: 'binary-not-found',
        message: 'PostgreSQL programs not found: set postgresql.bin_dir, or put pg_config or postgres on PATH',
      });
    } finally {
      process.env['PATH'] = savedPath;
    }
  });

  it('refuses a PG 14 data directory with the PG 15 programs: one line, data untouched', async () => {
    writeFileSync(join(node.config.data_dir, 'PG_VERSION'), '14\n');
    const before = digestTree(node.config.data_dir);
    const c = new LocalPostgresController({ config: { ...node.config, bin_dir: sandbox.binDir } });
    const r = await c.start({ role: 'primary' });
    expect(r).toEqual({
      ok: false,
      code: 'version-mismatch',
      message: `binaries in ${sandbox.binDir} are PostgreSQL 15 but ${node.config.data_dir} is PostgreSQL 14 (PG_VERSION)`,
    });
    expect(digestTree(node.config.data_dir)).toBe(before);
    expect(await c.isRunning()).toBe(false);
    await c.close();
  });
});
