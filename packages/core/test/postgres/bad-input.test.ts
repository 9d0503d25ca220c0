import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, PostgresSandbox } from '@pgwarden/testkit';
import { LocalPostgresController } from '../../src/index.js';
import { makeNode, sql, waitFor } from './helpers.js';

/** A digest of every file under a directory: "left byte for byte as it was". */
function digestTree(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      h.update(p);
      if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('LocalPostgresController: bad input gives one clear error and touches no data', () => {
  let sandbox: PostgresSandbox;

  beforeAll(() => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-bad-' });
  });
  afterAll(() => {
    const left = sandbox.livePostmasters();
    sandbox.cleanup();
    expect(left).toEqual([]);
  });

  it('names the missing binary and the directory searched', async () => {
    const emptyBin = sandbox.mkdir('empty-bin', 0o755);
    const node = await makeNode(sandbox, 'nobin', {}, { bin_dir: emptyBin });
    const r = await node.controller.bootstrap();
    expect(r).toMatchObject({ ok: false, code: 'binary-not-found' });
    if (!r.ok) {
      expect(r.message).toContain(emptyBin);
      expect(r.message).toMatch(/^postgres not found/);
      expect(r.message).not.toContain('\n');
    }
    expect(existsSync(node.config.data_dir)).toBe(false);
  });

  it('refuses a data directory owned by another user', async () => {
    const node = await makeNode(sandbox, 'foreign', {});
    mkdirSync(node.config.data_dir, { mode: 0o700 });
    writeFileSync(join(node.config.data_dir, 'keep.txt'), 'precious');
    // Owned by someone other than the user Postgres runs as.
    const otherUid = sandbox.runAs ? 0 : 65534;
    chownSync(node.config.data_dir, otherUid, otherUid);
    const r = await node.controller.start({ role: 'primary' });
    expect(r).toMatchObject({ ok: false, code: 'data-dir-unusable' });
    if (!r.ok) expect(r.message).toMatch(/owned by uid \d+, but Postgres runs as uid \d+/);
    expect(readFileSync(join(node.config.data_dir, 'keep.txt'), 'utf8')).toBe('precious');
  });

  it('refuses a port already in use, before initdb', async () => {
    const port = await freeLoopbackPort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const node = await makeNode(sandbox, 'busy', {}, { listen: `127.0.0.1:${port}` });
      const r = await node.controller.bootstrap();
      expect(r).toEqual({ ok: false, code: 'port-in-use', message: `cannot start: port ${port} on 127.0.0.1 is already in use` });
      expect(existsSync(node.config.data_dir)).toBe(false);
    } finally {
      squatter.close();
    }
  });

  it('reports a diverged primary without wal_log_hints as not rewindable, leaving it intact unless allowed', async () => {
    const dyn = { wal_log_hints: 'off', shared_buffers: '16MB' };
    // No slots here: the promoted replica must not wait for a slot nobody created.
    const c = await makeNode(sandbox, 'nohints-c', dyn, { use_slots: false });
    const d = await makeNode(sandbox, 'nohints-d', dyn, { use_slots: false });
    expect(await c.controller.bootstrap()).toEqual({ ok: true });
    expect(await c.controller.postBootstrap()).toEqual({ ok: true });
    await sql(c, 'CREATE TABLE t (id int)');
    expect(await d.controller.clone({ upstream: { name: c.name, connUrl: c.connUrl } })).toMatchObject({ ok: true });
    expect(await d.controller.start({ role: 'replica', upstream: { name: c.name, connUrl: c.connUrl } })).toEqual({ ok: true });
    expect(await d.controller.promote()).toEqual({ ok: true });
    await sql(c, 'INSERT INTO t VALUES (1)');
    expect(await c.controller.stop('fast')).toEqual({ ok: true });
    const leader = { name: d.name, connUrl: d.connUrl };
    const verdict = await c.controller.checkDivergence(leader);
    expect(verdict).toMatchObject({ ok: true, value: { needed: true } });

    const before = digestTree(c.config.data_dir);
    const r = await c.controller.rewind(leader);
    expect(r).toMatchObject({ ok: false, code: 'not-rewindable' });
    if (!r.ok) expect(r.message).toMatch(/wal_log_hints=on or data checksums/);
    expect(digestTree(c.config.data_dir)).toBe(before);

    // With removal allowed, the data dir goes so the engine can re-clone.
    const allowed = new LocalPostgresController({
      config: { ...c.config, remove_data_directory_on_diverged_timelines: true },
      dynamicParameters: dyn,
    });
    expect(await allowed.rewind(leader)).toEqual({ ok: true, value: 'removed-for-reclone' });
    expect(existsSync(c.config.data_dir)).toBe(false);
    await allowed.close();
    expect(await d.controller.stop('fast')).toEqual({ ok: true });
    await waitFor('no postmaster left', async () => sandbox.livePostmasters().length === 0, 10_000);
    await c.controller.close();
    await d.controller.close();
  });
});
