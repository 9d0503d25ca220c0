/**
 * reloadConfig(): a reloaded patroni.yml reaches a running Postgres (files rewritten,
 * reload, restart-only parameters reported), while the settings that locate or address
 * this Postgres keep their values and are reported as not applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, type Node, sql, stopAndClean } from './helpers.js';

describe('LocalPostgresController.reloadConfig', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-reloadcfg-' });
    node = await makeNode(sandbox, 'reload', {});
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
  });

  afterAll(async () => {
    await stopAndClean(sandbox, node);
  });

  it('applies parameters and pg_hba, reports restart-only ones, and keeps listen and data_dir', async () => {
    const next = {
      ...node.config,
      listen: '127.0.0.1:1',
      data_dir: '/nonexistent',
      parameters: { ...node.config.parameters, work_mem: '9MB', shared_buffers: '40MB' },
      pg_hba: [...(node.config.pg_hba ?? []), 'host all all 10.8.8.8/32 md5'],
    };
    const r = await node.controller.reloadConfig(next, { timeoutMs: 10_000 });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    if (!r.ok) return;
    expect(r.value!.notApplied.sort()).toEqual(['data_dir', 'listen']);
    expect(r.value!.report?.reloaded).toContain('work_mem');
    expect(Object.keys(r.value!.report?.pendingRestart ?? {})).toEqual(['shared_buffers']);
    expect((await sql<{ work_mem: string }>(node, 'SHOW work_mem'))[0]!.work_mem).toBe('9MB');
    expect((await sql(node, "SELECT 1 FROM pg_hba_file_rules WHERE address = '10.8.8.8'")).length).toBe(1);
    // Still the same Postgres on the same port: the monitoring query works.
    expect((await node.controller.observe({ timeoutMs: 5000 })).ok).toBe(true);
    expect(node.controller.status().pendingRestart).toBe(true);
  });
});
