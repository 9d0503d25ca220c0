import type { Lsn } from './types.js';
import type { UpstreamNode } from './upstream.js';

/**
 * The slot pass: the engine decides which slots should exist (spec §3.10) and hands the
 * full list over; the controller makes Postgres match it.
 */
export type DesiredSlot =
  | {
      readonly name: string;
      readonly type: 'physical';
      readonly advanceTo?: Lsn;
      /**
       * False: nobody should stream through this slot here. Such a slot that still holds
       * an `xmin` (feedback from a former user) would hold back vacuum for good, so it is
       * dropped and created afresh. Absent: no such cleaning.
       */
      readonly expectActive?: boolean;
    }
  | {
      readonly name: string;
      readonly type: 'logical';
      readonly database: string;
      readonly plugin: string;
      /** Replicas only: the primary's confirmed_flush_lsn from /status. */
      readonly advanceTo?: Lsn;
    };

/** A slot matching every given field is left alone even if not desired (`ignore_slots`). */
export interface IgnoreSlotRule {
  readonly name?: string;
  readonly type?: 'physical' | 'logical';
  readonly database?: string;
  readonly plugin?: string;
}

export interface SlotPassRequest {
  readonly desired: readonly DesiredSlot[];
  readonly ignore?: readonly IgnoreSlotRule[];
  /** False in pause: create and advance, never drop. */
  readonly dropUndesired: boolean;
  /**
   * Force `hot_standby_feedback = on` (a replica that holds logical slots, or cascades to
   * one that does). Absent: leave the setting as it is.
   */
  readonly hotStandbyFeedback?: boolean;
  /**
   * A replica holding logical slots: where to check that its copies are safe to use after
   * a failover (the leader, and our physical slot's name there).
   */
  readonly readiness?: { readonly leader: UpstreamNode; readonly slotOnPrimary: string };
}

/** A permanent logical slot as the configuration defines it. */
export interface LogicalSlotSpec {
  readonly name: string;
  readonly database: string;
  readonly plugin: string;
}

/** Copy logical slots from the leader into a replica (PostgreSQL < 16 cannot create them there). */
export interface CopyLogicalSlotsRequest {
  readonly leader: UpstreamNode;
  readonly slots: readonly LogicalSlotSpec[];
}

export interface SlotPassReport {
  readonly created: readonly string[];
  readonly advanced: readonly string[];
  readonly dropped: readonly string[];
  /** Slots that could not be handled this time (active when it had to be dropped, etc.). */
  readonly deferred: readonly { readonly name: string; readonly reason: string }[];
  /** Copied logical slots not yet known to be safe to use after a failover (catalog_xmin check pending). */
  readonly unready?: readonly string[];
}

/**
 * Patroni's slot name for a member: lower-case, `-` and `.` become `_`, other characters
 * outside [a-z0-9_] become `u` + 4 hex digits, cut to 63 characters.
 */
export function slotNameFromMemberName(member: string): string {
  let out = '';
  for (const ch of member.toLowerCase()) {
    if (/[a-z0-9_]/.test(ch)) out += ch;
    else if (ch === '-' || ch === '.') out += '_';
    else out += 'u' + (ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0');
  }
  return out.slice(0, 63);
}
