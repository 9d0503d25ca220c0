import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { DesiredSlot, IgnoreSlotRule, SlotPassReport, SlotPassRequest } from '../slots.js';
import type pg from 'pg';
import { withClient, type LocalConnectionTarget } from './connection.js';
import { formatLsn } from './lsn.js';

interface ExistingSlot {
  slot_name: string;
  slot_type: 'physical' | 'logical';
  plugin: string | null;
  database: string | null;
  active: boolean;
  restart: number | null;
  confirmed: number | null;
}

function ignored(slot: ExistingSlot, rules: readonly IgnoreSlotRule[]): boolean {
  return rules.some(
    (r) =>
      (r.name === undefined || r.name === slot.slot_name) &&
      (r.type === undefined || r.type === slot.slot_type) &&
      (r.database === undefined || r.database === slot.database) &&
      (r.plugin === undefined || r.plugin === slot.plugin),
  );
}

function matches(want: DesiredSlot, have: ExistingSlot): boolean {
  if (want.type !== have.slot_type) return false;
  return want.type === 'physical' || (want.database === have.database && want.plugin === have.plugin);
}

/**
 * Makes the slots match the engine's list (spec §3.10, without copying logical slots):
 * drop inactive slots that are neither desired nor ignored, re-create slots whose type,
 * plugin or database changed, create missing ones (physical slots reserve WAL at once;
 * logical ones only on a primary, in their database), advance where asked.
 */
/** Runs `fn` on a session to the local Postgres's main database. */
export type MainSession = <T>(fn: (client: pg.Client) => Promise<T>) => Promise<T>;

export async function runSlotPass(
  target: LocalConnectionTarget,
  req: SlotPassRequest,
  timeoutMs: number,
  main?: MainSession,
): Promise<PgResult<SlotPassReport>> {
  const created: string[] = [];
  const advanced: string[] = [];
  const dropped: string[] = [];
  const deferred: { name: string; reason: string }[] = [];
  const opts = { connectTimeoutMs: Math.min(3000, timeoutMs), statementTimeoutMs: Math.min(timeoutMs, 10_000) };
  // The controller passes its long-lived session; without one, a short-lived client.
  const session: MainSession = main ?? ((fn) => withClient(target, opts, fn));
  try {
    const { slots, inRecovery } = await session(async (c) => {
      const r = await c.query<ExistingSlot>(
        `SELECT slot_name, slot_type, plugin, database, active,
                pg_wal_lsn_diff(restart_lsn, '0/0')::float8 AS restart,
                pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::float8 AS confirmed
           FROM pg_replication_slots`,
      );
      const rec = await c.query<{ rec: boolean }>('SELECT pg_is_in_recovery() AS rec');
      return { slots: r.rows, inRecovery: Boolean(rec.rows[0]?.rec) };
    });
    const desired = new Map(req.desired.map((d) => [d.name, d]));
    const existing = new Map(slots.map((s) => [s.slot_name, s]));
    const toDrop = slots.filter((s) => {
      const want = desired.get(s.slot_name);
      if (want) return !matches(want, s);
      return req.dropUndesired && !ignored(s, req.ignore ?? []);
    });
    const physicalWork =
      toDrop.length > 0 ||
      req.desired.some((want) => {
        if (want.type !== 'physical') return false;
        const have = existing.get(want.name);
        return !have || (want.advanceTo !== undefined && !have.active && have.restart !== null && want.advanceTo > have.restart);
      });
    // Most cycles change nothing: no second round trip then.
    if (physicalWork) await session(async (c) => {
      for (const s of toDrop) {
        if (s.active) {
          deferred.push({ name: s.slot_name, reason: 'active, cannot be dropped now' });
          continue;
        }
        await c.query('SELECT pg_drop_replication_slot($1)', [s.slot_name]);
        dropped.push(s.slot_name);
        existing.delete(s.slot_name);
      }
      for (const want of req.desired) {
        if (existing.has(want.name) || want.type !== 'physical') continue;
        await c.query('SELECT pg_create_physical_replication_slot($1, true)', [want.name]);
        created.push(want.name);
      }
      for (const want of req.desired) {
        const have = existing.get(want.name);
        if (!have || want.type !== 'physical' || want.advanceTo === undefined) continue;
        if (have.active || have.restart === null || want.advanceTo <= have.restart) continue;
        await c.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [want.name, formatLsn(want.advanceTo)]);
        advanced.push(want.name);
      }
    });
    // Logical slots live in one database each: connect there.
    for (const want of req.desired) {
      if (want.type !== 'logical') continue;
      const have = existing.get(want.name);
      if (!have) {
        if (inRecovery) {
          deferred.push({ name: want.name, reason: 'logical slots are created on the primary (copying is not implemented)' });
          continue;
        }
        await withClient({ ...target, database: want.database }, opts, (c) =>
          c.query('SELECT pg_create_logical_replication_slot($1, $2)', [want.name, want.plugin]),
        );
        created.push(want.name);
      } else if (want.advanceTo !== undefined && !have.active && have.confirmed !== null && want.advanceTo > have.confirmed) {
        await withClient({ ...target, database: want.database }, opts, (c) =>
          c.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [want.name, formatLsn(want.advanceTo!)]),
        );
        advanced.push(want.name);
      }
    }
    return ok({ created, advanced, dropped, deferred });
  } catch (e) {
    return fail('query-failed', `slot pass failed: ${(e as Error).message}`, e);
  }
}
