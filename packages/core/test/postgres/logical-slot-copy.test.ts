/**
 * The controller's slot work on real PostgreSQL 15, a primary and a streaming replica:
 * - a permanent logical slot is copied to the replica (state file read from the primary
 *   over SQL, written while the replica is stopped), then advanced there to the
 *   primary's confirmed_flush; the replica is forced to send hot-standby feedback and the
 *   copy becomes safe for failover once the catalog_xmin condition holds;
 * - a slot whose WAL is lost is dropped and re-created, and so is an idle slot still
 *   holding a former user's xmin;
 * - slots matched by ignore_slots survive the drop of undesired slots, on both nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { slotNameFromMemberName, type DesiredSlot, type SlotPassRequest } from '../../src/index.js';
import { makeNode, sql, stopAndClean, waitFor, type Node } from './helpers.js';

const CDC = { name: 'cdc', database: 'postgres', plugin: 'test_decoding' };
const PARAMS = { wal_level: 'logical', wal_keep_size: '0' };

describe('LocalPostgresController: logical slots copied to a replica, lost and ignored slots', () => {
  let sandbox: PostgresSandbox;
  let a: Node;
  let b: Node;
  /** What the primary's consumer confirmed on `cdc` (set by the advance test). */
  let confirmedOnPrimary = 0;

  const slotRow = async (n: Node, name: string) =>
    (
      await sql<{ slot_type: string; confirmed: string | null; wal_status: string | null; restart: string | null }>(
        n,
        `SELECT slot_type, pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::text AS confirmed, wal_status,
                pg_wal_lsn_diff(restart_lsn, '0/0')::text AS restart
           FROM pg_replication_slots WHERE slot_name = $1`,
        [name],
      )
    )[0];
  const streaming = (n: Node) =>
    waitFor(`${n.name} streaming`, async () => (await sql(n, 'SELECT 1 FROM pg_stat_wal_receiver WHERE status = $1', ['streaming'])).length > 0, 30_000);
  const pass = (n: Node, req: Partial<SlotPassRequest> & { desired: DesiredSlot[] }) =>
    n.controller.syncSlots({ dropUndesired: false, ...req }, { timeoutMs: 10_000 });

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-logslots-' });
    a = await makeNode(sandbox, 'lsc-a', PARAMS);
    b = await makeNode(sandbox, 'lsc-b', PARAMS);
    expect(await a.controller.bootstrap()).toEqual({ ok: true });
    expect(await a.controller.postBootstrap()).toEqual({ ok: true });
    await sql(a, 'CREATE TABLE rows (id int primary key)');
    // b streams through its own slot on a, as in a cluster.
    expect((await pass(a, { desired: [{ name: slotNameFromMemberName(b.name), type: 'physical' }] })).ok).toBe(true);
    const upstream = { name: a.name, connUrl: a.connUrl };
    expect((await b.controller.clone({ upstream })).ok).toBe(true);
    expect(await b.controller.start({ role: 'replica', upstream })).toEqual({ ok: true });
    await streaming(b);
  }, 120_000);

  afterAll(async () => {
    await b?.controller.stop('immediate', { timeoutMs: 10_000 });
    await b?.controller.close();
    await stopAndClean(sandbox, a);
  });

  it('creates the logical slot on the primary; a replica cannot create it, it copies it', async () => {
    expect(await pass(a, { desired: [{ type: 'logical', ...CDC }] })).toMatchObject({ ok: true, value: { created: ['cdc'] } });
    const onReplica = await pass(b, { desired: [{ type: 'logical', ...CDC }] });
    expect(onReplica).toMatchObject({ ok: true, value: { created: [], deferred: [{ name: 'cdc' }] } });
    await sql(a, 'INSERT INTO rows SELECT generate_series(1, 10)');
    await sql(a, "SELECT pg_replication_slot_advance('cdc', pg_current_wal_lsn())");
    const primary = await slotRow(a, 'cdc');

    const copied = await b.controller.copyLogicalSlots({ leader: { name: a.name, connUrl: a.connUrl }, slots: [CDC, { name: 'absent', database: 'postgres', plugin: 'test_decoding' }] }, { timeoutMs: 60_000 });
    expect(copied).toEqual({ ok: true, value: { copied: ['cdc'] } });
    expect(b.logger.messages().join('\n')).toMatch(/Will not copy the logical slot "absent"/);
    const copy = await slotRow(b, 'cdc');
    expect(copy?.slot_type).toBe('logical');
    // The state file on disk is the slot as of the primary's last checkpoint: never ahead.
    expect(Number(copy?.confirmed)).toBeGreaterThan(0);
    expect(Number(copy?.confirmed)).toBeLessThanOrEqual(Number(primary?.confirmed));
    // Still a streaming replica after the restart the copy needed.
    await streaming(b);
    expect((await sql<{ rec: boolean }>(b, 'SELECT pg_is_in_recovery() AS rec'))[0]?.rec).toBe(true);
  }, 120_000);

  it('forces hot_standby_feedback, advances the copy to the primary’s confirmed_flush, and reports it ready once catalog_xmin allows', async () => {
    await sql(a, 'INSERT INTO rows SELECT generate_series(11, 20)');
    await sql(a, "SELECT pg_replication_slot_advance('cdc', pg_current_wal_lsn())");
    const target = Number((await slotRow(a, 'cdc'))?.confirmed);
    confirmedOnPrimary = target;
    const readiness = { leader: { name: a.name, connUrl: a.connUrl }, slotOnPrimary: slotNameFromMemberName(b.name) };
    const report = await waitFor('the copy advanced and ready', async () => {
      const r = await pass(b, { desired: [{ type: 'logical', ...CDC, advanceTo: target }], hotStandbyFeedback: true, readiness });
      if (!r.ok) throw new Error(r.message);
      return Number((await slotRow(b, 'cdc'))?.confirmed) === target && r.value.unready?.length === 0 ? r.value : null;
    }, 60_000);
    expect(report.unready).toEqual([]);
    expect((await sql<{ hot_standby_feedback: string }>(b, 'SHOW hot_standby_feedback'))[0]).toEqual({ hot_standby_feedback: 'on' });
    expect(b.logger.messages().join('\n')).toMatch(/Logical slot cdc is safe to be used after a failover/);
  }, 120_000);

  it('a slot nobody should stream through that still holds a former user’s xmin is re-created without it', async () => {
    const slot = slotNameFromMemberName(b.name);
    const xmin = async () => (await sql<{ xmin: string | null }>(a, 'SELECT xmin::text AS xmin FROM pg_replication_slots WHERE slot_name = $1', [slot]))[0]?.xmin ?? null;
    // b streams through its slot with hot_standby_feedback on: the slot carries b's xmin.
    await waitFor('an xmin on b’s slot', xmin, 30_000);
    expect(await b.controller.stop('fast')).toEqual({ ok: true });
    expect(await xmin()).not.toBeNull();
    const r = await pass(a, { desired: [{ name: slot, type: 'physical', expectActive: false }, { type: 'logical', ...CDC }] });
    expect(r).toMatchObject({ ok: true, value: { dropped: [slot], created: [slot] } });
    expect(await xmin()).toBeNull();
    // A slot expected to be in use keeps its xmin (only an idle one is re-created).
    expect(await b.controller.start({ role: 'replica', upstream: { name: a.name, connUrl: a.connUrl } })).toEqual({ ok: true });
    await streaming(b);
    await waitFor('b’s feedback back on its slot', xmin, 30_000);
    expect(await pass(a, { desired: [{ name: slot, type: 'physical' }, { type: 'logical', ...CDC }] })).toMatchObject({ ok: true, value: { dropped: [] } });
  }, 120_000);

  it('ignore_slots: slots made by hand survive the drop of undesired slots on the primary and the replica', async () => {
    for (const [n, kind] of [[a, 'primary'], [b, 'replica']] as const) {
      await sql(n, "SELECT pg_create_physical_replication_slot('manual_keep', true)");
      await sql(n, "SELECT pg_create_physical_replication_slot('manual_drop', true)");
      const keep: DesiredSlot[] = n === a ? [{ name: slotNameFromMemberName(b.name), type: 'physical' }, { type: 'logical', ...CDC }] : [{ type: 'logical', ...CDC }];
      const r = await pass(n, { desired: keep, dropUndesired: true, ignore: [{ name: 'manual_keep', type: 'physical' }] });
      expect(r, kind).toMatchObject({ ok: true, value: { dropped: ['manual_drop'] } });
      expect(await slotRow(n, 'manual_keep'), kind).toBeDefined();
      expect(await slotRow(n, 'manual_drop'), kind).toBeUndefined();
      expect(await slotRow(n, 'cdc'), kind).toBeDefined();
    }
  }, 60_000);

  it('a slot whose WAL is lost is dropped and re-created', async () => {
    await pass(a, { desired: [{ name: 'lagging', type: 'physical' }] });
    expect((await a.controller.applyParameters({ ...PARAMS, max_slot_wal_keep_size: '64MB' }, { timeoutMs: 10_000 })).ok).toBe(true);
    await waitFor('lagging lost', async () => {
      await sql(a, 'INSERT INTO rows SELECT max(id) + 1 FROM rows');
      await sql(a, 'SELECT pg_switch_wal()');
      await sql(a, 'CHECKPOINT');
      return (await slotRow(a, 'lagging'))?.wal_status === 'lost';
    }, 60_000);
    const r = await pass(a, { desired: [{ name: slotNameFromMemberName(b.name), type: 'physical' }, { name: 'lagging', type: 'physical' }] });
    // Four segments of slack: b, streaming, never falls that far behind; `lagging` does.
    expect(r).toMatchObject({ ok: true, value: { dropped: ['lagging'], created: ['lagging'] } });
    expect((await slotRow(a, 'lagging'))?.wal_status).not.toBe('lost');
  }, 120_000);

  it('after a failover the copy decodes exactly what the primary’s consumer had not confirmed', async () => {
    await sql(a, 'INSERT INTO rows SELECT max(id) + 1 FROM rows');
    const ids = async (n: Node) => (await sql<{ id: number }>(n, 'SELECT id FROM rows WHERE id > 20 ORDER BY id')).map((r) => r.id);
    const expected = await ids(a);
    await waitFor('b replayed every row', async () => (await ids(b)).length === expected.length, 30_000);
    // A standby keeps an advance in memory only (its restart may undo it): every cycle advances again.
    expect(await pass(b, { desired: [{ type: 'logical', ...CDC, advanceTo: confirmedOnPrimary }] })).toMatchObject({ ok: true });
    expect(Number((await slotRow(b, 'cdc'))?.confirmed)).toBe(confirmedOnPrimary);
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    expect(await b.controller.promote()).toEqual({ ok: true });
    const changes = await sql<{ data: string }>(b, "SELECT data FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)");
    const decoded = changes.map((c) => /INSERT: id\[integer\]:(\d+)/.exec(c.data)?.[1]).filter((v) => v !== undefined).map(Number);
    // Rows 1..20 were confirmed on the old primary: none of them comes again, none after is missing.
    expect(decoded).toEqual(expected);
  }, 120_000);
});
