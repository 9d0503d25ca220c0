/**
 * The parameters pgwarden writes when the configuration leaves them unset: a fast WAL
 * retry for standbys and room in pg_wal, each replaced by the user's own value from
 * /config or patroni.yml, on a real PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { withManagedDefaults } from '../../src/postgres/local/managed-defaults.js';
import { makeNode, type Node, sql, stopAndClean } from './helpers.js';

describe('withManagedDefaults', () => {
  it('adds each default the parameters do not name', () => {
    expect(withManagedDefaults({ work_mem: '8MB' })).toEqual({ work_mem: '8MB', wal_keep_size: '128MB', wal_retrieve_retry_interval: '1s' });
  });

  it('keeps the user’s value, whatever its letter case, and adds no second spelling', () => {
    const out = withManagedDefaults({ WAL_Retrieve_Retry_Interval: '5s', wal_keep_size: '0' });
    expect(out).toEqual({ WAL_Retrieve_Retry_Interval: '5s', wal_keep_size: '0' });
  });
});

describe('managed defaults on a running PostgreSQL 15', () => {
  let sandbox: PostgresSandbox;
  let node: Node;
  const show = async (name: string): Promise<string> => Object.values((await sql(node, `SHOW ${name}`))[0]!)[0] as string;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-managed-defaults-' });
    node = await makeNode(sandbox, 'defaults', {});
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
  });

  afterAll(async () => {
    await stopAndClean(sandbox, node);
  });

  it('runs with pgwarden’s values when nothing sets them', async () => {
    expect(await show('wal_retrieve_retry_interval')).toBe('1s');
    expect(await show('wal_keep_size')).toBe('128MB');
  });

  it('takes a value from /config (dynamic postgresql.parameters) instead', async () => {
    const r = await node.controller.applyParameters({ wal_retrieve_retry_interval: '3s' }, { timeoutMs: 10_000 });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    expect(await show('wal_retrieve_retry_interval')).toBe('3s');
  });

  it('takes patroni.yml’s value over /config’s', async () => {
    const next = { ...node.config, parameters: { ...node.config.parameters, wal_retrieve_retry_interval: '7s' } };
    const r = await node.controller.reloadConfig(next, { timeoutMs: 10_000 });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    expect(await show('wal_retrieve_retry_interval')).toBe('7s');
  });

  it('returns to pgwarden’s value once neither sets it', async () => {
    expect((await node.controller.reloadConfig(node.config, { timeoutMs: 10_000 })).ok).toBe(true);
    const r = await node.controller.applyParameters({}, { timeoutMs: 10_000 });
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    expect(await show('wal_retrieve_retry_interval')).toBe('1s');
  });
});
