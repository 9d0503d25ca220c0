/**
 * When is a logical slot copied to a replica safe to use after a failover?
 *
 * The copy carries the primary's `catalog_xmin` at the moment of copying. Until the
 * replica's hot-standby feedback has made the primary keep catalog rows for that
 * horizon, the primary may vacuum rows the copy still needs to decode. The copy is safe
 * once our physical slot on the primary reports a `catalog_xmin` that lies between the
 * primary's logical slot's `catalog_xmin` (remembered when our feedback first arrived)
 * and the copy's own. Until then the slot is "pending" and a promotion warns about it.
 */
import type { Logger } from '../../logger.js';
import type pg from 'pg';
import { withClient, type LocalConnectionTarget } from './connection.js';

type Session = <T>(fn: (client: pg.Client) => Promise<T>) => Promise<T>;

/** `xid` values come back as text; null when unset. */
function xid(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export class LogicalSlotReadiness {
  /** Slot name to the primary's logical catalog_xmin once known (null: not read yet). */
  private readonly pending = new Map<string, number | null>();
  /** Every logical slot found at the first check is pending: we cannot know how it got here. */
  private checkAll = true;

  constructor(private readonly logger: Logger) {}

  /** Slots just copied start over. */
  copied(names: readonly string[]): void {
    for (const n of names) this.pending.set(n, null);
  }

  /** After a promotion there is no primary to compare with any more. */
  clear(): void {
    this.pending.clear();
  }

  /** Names still waiting for the catalog_xmin condition. */
  unready(): string[] {
    return [...this.pending.keys()].sort();
  }

  /**
   * One check per cycle, on a replica holding logical slots. `local` runs on our own
   * Postgres; `leader` reaches the primary. Returns the slots still pending.
   */
  async check(local: Session, leader: LocalConnectionTarget, slotOnPrimary: string, timeoutMs: number): Promise<string[]> {
    const mine = await local(async (c) => {
      const r = await c.query<{ slot_name: string; catalog_xmin: string | null }>(
        `SELECT slot_name, catalog_xmin::text AS catalog_xmin FROM pg_replication_slots WHERE slot_type = 'logical'`,
      );
      return new Map(r.rows.map((row) => [row.slot_name, xid(row.catalog_xmin)]));
    });
    if (this.checkAll) {
      for (const name of mine.keys()) if (!this.pending.has(name)) this.pending.set(name, null);
      this.checkAll = false;
    }
    for (const name of [...this.pending.keys()]) if (!mine.has(name)) this.pending.delete(name);
    if (this.pending.size === 0) return [];
    const unknown = [...this.pending].filter(([, v]) => v === null).map(([n]) => n);
    const rows = await withClient(leader, { connectTimeoutMs: Math.min(3000, timeoutMs), statementTimeoutMs: Math.min(2000, timeoutMs) }, async (c) =>
      (
        await c.query<{ slot_name: string; catalog_xmin: string | null }>(
          `SELECT slot_name, catalog_xmin::text AS catalog_xmin FROM pg_get_replication_slots()
            WHERE NOT pg_is_in_recovery() AND slot_name = ANY($1)`,
          [[...unknown, slotOnPrimary]],
        )
      ).rows,
    );
    const onPrimary = new Map(rows.map((r) => [r.slot_name, xid(r.catalog_xmin)]));
    if (!onPrimary.has(slotOnPrimary)) {
      this.logger.warn(`Physical slot ${slotOnPrimary} does not exist on the primary`);
      return this.unready();
    }
    const physical = onPrimary.get(slotOnPrimary) ?? null;
    if (physical === null) {
      // No feedback has reached the primary yet (not streaming, or hot_standby_feedback off).
      const hsf = await local((c) => c.query<{ on: boolean }>(`SELECT current_setting('hot_standby_feedback')::boolean AS on`));
      if (!hsf.rows[0]?.on) this.logger.error('Logical slot failover requires "hot_standby_feedback". Please check postgresql.auto.conf');
      return this.unready();
    }
    for (const name of unknown) {
      const value = onPrimary.get(name);
      if (value !== undefined && value !== null) this.pending.set(name, value);
    }
    for (const [name, primaryLogical] of [...this.pending]) {
      const copy = mine.get(name) ?? null;
      if (primaryLogical === null || copy === null) continue;
      if (primaryLogical <= physical && physical <= copy) {
        this.pending.delete(name);
        this.logger.info(`Logical slot ${name} is safe to be used after a failover`);
      }
    }
    return this.unready();
  }
}
