import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { PostgresObservation } from '../observation.js';
import type { DesiredSlot, IgnoreSlotRule, SlotPassReport, SlotPassRequest } from '../slots.js';
import type pg from 'pg';
import { withClient, type LocalConnectionTarget } from './connection.js';
import { formatLsn } from './lsn.js';

export interface ExistingSlot {
  slot_name: string;
  slot_type: 'physical' | 'logical';
  plugin: string | null;
  database: string | null;
  active: boolean;
  restart: number | null;
  confirmed: number | null;
  /** PG 13+: `lost` once the WAL the slot needs is gone. */
  wal_status: string | null;
  /** Physical slots: the xmin hot-standby feedback left on it (as text), or null. */
  xmin: string | null;
}

/** Runs `fn` on a session to the local Postgres's main database. */
export type MainSession = <T>(fn: (client: pg.Client) => Promise<T>) => Promise<T>;

/** What the pass found, besides its report: the engine's controller uses `inRecovery`. */
export interface SlotPassOutcome extends SlotPassReport {
  readonly inRecovery: boolean;
  /** Logical slots a replica could not advance (WAL gone): dropped, to be copied again. */
  readonly broken: readonly { readonly name: string; readonly message: string }[];
}

export function ignored(slot: Pick<ExistingSlot, 'slot_name' | 'slot_type' | 'database' | 'plugin'>, rules: readonly IgnoreSlotRule[]): boolean {
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

/** SQLSTATEs of an advance that cannot work any more: WAL removed (58P01), slot invalidated (55000). */
const SLOT_BROKEN = new Set(['58P01', '55000']);

/** Where the pass starts from: the slots (temporary ones left out) and whether Postgres is a replica. */
export interface SlotState {
  readonly slots: readonly ExistingSlot[];
  readonly inRecovery: boolean;
}

/**
 * The pass's starting point read in one round trip, as a named statement (parsed and
 * planned once per session), when the cycle's observation cannot serve.
 */
const SLOT_STATE_QUERY = {
  name: 'pgwarden_slots',
  text: `SELECT pg_is_in_recovery() AS in_recovery,
  (SELECT coalesce(json_agg(s), '[]'::json) FROM (
     SELECT slot_name, slot_type, plugin, database, active,
            pg_wal_lsn_diff(restart_lsn, '0/0')::float8 AS restart,
            pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::float8 AS confirmed,
            to_jsonb(p) ->> 'wal_status' AS wal_status, xmin::text AS xmin
       FROM pg_replication_slots p WHERE NOT temporary) s) AS slots`,
};

async function readSlotState(session: MainSession): Promise<SlotState> {
  return session(async (c) => {
    const row = (await c.query<{ in_recovery: boolean; slots: ExistingSlot[] | null }>(SLOT_STATE_QUERY)).rows[0];
    return { slots: row?.slots ?? [], inRecovery: Boolean(row?.in_recovery) };
  });
}

/** The same starting point from the monitoring query's answer (monitoring-query.ts reads the same columns). */
export function slotStateFromObservation(obs: Pick<PostgresObservation, 'slots' | 'inRecovery'>): SlotState {
  const slots = obs.slots
    .filter((s) => !s.temporary)
    .map((s) => ({
      slot_name: s.name,
      slot_type: s.type,
      plugin: s.plugin,
      database: s.database,
      active: s.active,
      restart: s.restartLsn,
      confirmed: s.confirmedFlushLsn,
      wal_status: s.walStatus ?? null,
      xmin: s.xmin ?? null,
    }));
  return { slots, inRecovery: obs.inRecovery };
}

/**
 * Makes the slots match the engine's list (spec §3.10):
 * - drop inactive slots that are neither desired nor ignored, and re-create slots whose
 *   type, plugin or database changed;
 * - a physical slot nobody should stream through here (`expectActive: false`) that still
 *   holds an xmin is dropped and re-created, as Patroni does;
 * - a slot whose WAL is gone (`wal_status` lost) is dropped and re-created, except a
 *   logical slot on a replica: that one is copied again from the primary (the engine's
 *   copyLogicalSlots), which replaces it;
 * - create missing physical slots (reserving WAL at once), and logical ones on a primary
 *   only, in their database;
 * - advance where asked: physical slots to the LSN the DCS knows, a replica's logical
 *   slots to the primary's confirmed_flush. A replica's logical slot that cannot be
 *   advanced because its WAL is gone is dropped, so the next cycle copies it again.
 */
export async function runSlotPass(
  target: LocalConnectionTarget,
  req: SlotPassRequest,
  timeoutMs: number,
  main?: MainSession,
  known?: SlotState,
): Promise<PgResult<SlotPassOutcome>> {
  const created: string[] = [];
  const advanced: string[] = [];
  const dropped: string[] = [];
  const deferred: { name: string; reason: string }[] = [];
  const broken: { name: string; message: string }[] = [];
  const opts = { connectTimeoutMs: Math.min(3000, timeoutMs), statementTimeoutMs: Math.min(timeoutMs, 10_000) };
  // The controller passes its long-lived session; without one, a short-lived client.
  const session: MainSession = main ?? ((fn) => withClient(target, opts, fn));
  const inDatabase = <T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => withClient({ ...target, database }, opts, fn);
  try {
    // The cycle's observation when it can serve: an idle cycle then sends nothing here.
    const { slots, inRecovery } = known ?? (await readSlotState(session));
    const desired = new Map(req.desired.map((d) => [d.name, d]));
    const existing = new Map(slots.map((s) => [s.slot_name, s]));
    const lost = (s: ExistingSlot): boolean => s.wal_status === 'lost' && !(inRecovery && s.slot_type === 'logical');
    // A slot nobody should use here, still holding a former user's xmin, holds back vacuum.
    const staleXmin = (want: DesiredSlot, s: ExistingSlot): boolean =>
      want.type === 'physical' && want.expectActive === false && !s.active && s.xmin !== null;
    const toDrop = slots.filter((s) => {
      const want = desired.get(s.slot_name);
      if (want) return !matches(want, s) || lost(s) || staleXmin(want, s);
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
          deferred.push({ name: want.name, reason: 'a replica copies logical slots from the primary' });
          continue;
        }
        await inDatabase(want.database, (c) => c.query('SELECT pg_create_logical_replication_slot($1, $2)', [want.name, want.plugin]));
        created.push(want.name);
      } else if (want.advanceTo !== undefined && !have.active && have.confirmed !== null && want.advanceTo > have.confirmed) {
        const target = formatLsn(want.advanceTo);
        try {
          await inDatabase(want.database, (c) => c.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [want.name, target]));
          advanced.push(want.name);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (!inRecovery || !code || !SLOT_BROKEN.has(code)) throw e;
          // Its WAL is gone here: drop it, and the next cycle copies it afresh from the primary.
          await session((c) => c.query('SELECT pg_drop_replication_slot($1)', [want.name]));
          dropped.push(want.name);
          broken.push({ name: want.name, message: (e as Error).message });
        }
      }
    }
    return ok({ created, advanced, dropped, deferred, inRecovery, broken });
  } catch (e) {
    return fail('query-failed', `slot pass failed: ${(e as Error).message}`, e);
  }
}
