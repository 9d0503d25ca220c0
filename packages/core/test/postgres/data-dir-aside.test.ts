/**
 * After a failed bootstrap the engine moves the half-made data directory aside (as
 * Patroni does): the next start finds no data directory instead of a cluster with a
 * system ID nobody else has.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { asideName } from '../../src/postgres/local/data-dir-aside.js';
import { makeNode, type Node } from './helpers.js';

describe('LocalPostgresController.moveDataDirectoryAside', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-aside-' });
    node = await makeNode(sandbox, 'aside-a', { shared_buffers: '16MB' }, { use_slots: false });
  });

  afterAll(async () => {
    await node?.controller.stop('immediate', { timeoutMs: 10_000 });
    await node?.controller.close();
    sandbox?.cleanup();
  });

  it('refuses while Postgres runs, then renames the directory to <dir>_<timestamp> and leaves none behind', async () => {
    const dataDir = node.config.data_dir;
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    const refused = await node.controller.moveDataDirectoryAside();
    expect(refused.ok).toBe(false);
    expect(existsSync(dataDir)).toBe(true);

    expect(await node.controller.stop('immediate')).toEqual({ ok: true });
    const moved = await node.controller.moveDataDirectoryAside();
    if (!moved.ok) throw new Error(moved.message);
    expect(moved.value.movedTo).toMatch(new RegExp(`^${dataDir}_\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d$`));
    expect(existsSync(dataDir)).toBe(false);
    expect(readdirSync(moved.value.movedTo!)).toContain('PG_VERSION');
    expect(readdirSync(dirname(dataDir)).filter((f) => f.startsWith(`${basename(dataDir)}_`))).toHaveLength(1);
    expect((await node.controller.dataDirState()).kind).not.toBe('valid');

    // Nothing left to move: not an error.
    expect(await node.controller.moveDataDirectoryAside()).toEqual({ ok: true, value: { movedTo: null } });
  });

  it('names the directory in UTC, the shape Patroni uses', () => {
    expect(asideName('/var/lib/pg/data/', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('/var/lib/pg/data_2026-01-02-03-04-05');
  });
});
