/**
 * The controller's side of replication slots: the slot pass (slot-pass.ts), forcing
 * hot_standby_feedback on replicas that hold logical slots, the catalog_xmin readiness
 * check of copied logical slots (logical-readiness.ts), and copying logical slots from
 * the primary (copy-logical-slots.ts) with the stop and start it needs.
 */
import type { Logger } from '../../logger.js';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { CopyLogicalSlotsRequest, SlotPassReport, SlotPassRequest } from '../slots.js';
import type { UpstreamNode } from '../upstream.js';
import type { LocalConnectionTarget } from './connection.js';
import { readSlotStates, writeSlotStates } from './copy-logical-slots.js';
import { LogicalSlotReadiness } from './logical-readiness.js';
import type { RunAs } from './run-as.js';
import { runSlotPass, type MainSession, type SlotState } from './slot-pass.js';

/** What SlotSync needs from the controller. */
export interface SlotSyncHost {
  readonly logger: Logger;
  readonly dataDir: string;
  readonly runAs: RunAs | null;
  localTarget(): LocalConnectionTarget;
  /** The controller's long-lived session to its own Postgres. */
  mainSession(timeoutMs: number): MainSession;
  /** The leader as the rewind user (superuser when none): it may read files in PGDATA. */
  leaderTarget(leader: UpstreamNode): LocalConnectionTarget | null;
  /** Rewrite postgresql.conf with the current parameters and reload. */
  reapplyParameters(timeoutMs: number): Promise<PgResult<unknown>>;
  /** Fast stop and start as the same replica, around `work`. */
  restartAround(work: () => Promise<void>, timeoutMs: number): Promise<PgResult>;
}

export class SlotSync {
  /** hot_standby_feedback is forced on (postgresql.conf): a replica holding logical slots. */
  hotStandbyFeedback = false;
  private readonly readiness: LogicalSlotReadiness;

  constructor(private readonly host: SlotSyncHost) {
    this.readiness = new LogicalSlotReadiness(host.logger);
  }

  /** `known`: the slots as the cycle's observation showed them, when it can serve (slot-pass.ts). */
  async sync(req: SlotPassRequest, timeoutMs: number, known?: SlotState): Promise<PgResult<SlotPassReport>> {
    const { host } = this;
    if (req.hotStandbyFeedback !== undefined && req.hotStandbyFeedback !== this.hotStandbyFeedback) {
      this.hotStandbyFeedback = req.hotStandbyFeedback;
      host.logger.info(`${req.hotStandbyFeedback ? 'Enforcing' : 'No longer enforcing'} hot_standby_feedback: logical replication slots on this replica or its cascade`);
      const r = await host.reapplyParameters(timeoutMs);
      if (!r.ok) host.logger.warn(`Could not apply hot_standby_feedback: ${r.message}`);
    }
    const pass = await runSlotPass(host.localTarget(), req, timeoutMs, host.mainSession(timeoutMs), known);
    if (!pass.ok) return pass;
    const { inRecovery, broken, ...report } = pass.value;
    for (const b of broken) host.logger.error(`Failed to advance logical replication slot '${b.name}': ${b.message}; it will be copied again from the primary`);
    if (!inRecovery) {
      this.readiness.clear();
      return ok(report);
    }
    const leader = req.readiness && host.leaderTarget(req.readiness.leader);
    if (!req.readiness || !leader) return ok({ ...report, unready: this.readiness.unready() });
    try {
      const unready = await this.readiness.check(host.mainSession(timeoutMs), leader, req.readiness.slotOnPrimary, timeoutMs);
      return ok({ ...report, unready });
    } catch (e) {
      host.logger.error(`Failed to check ${req.readiness.slotOnPrimary} physical slot on the primary: ${(e as Error).message}`);
      return ok({ ...report, unready: this.readiness.unready() });
    }
  }

  async copy(req: CopyLogicalSlotsRequest, timeoutMs: number): Promise<PgResult<{ copied: string[] }>> {
    const { host } = this;
    const leader = host.leaderTarget(req.leader);
    if (!leader) return fail('connection-failed', `cannot copy logical slots: the leader ${req.leader.name} has no usable conn_url`);
    let read;
    try {
      read = await readSlotStates(leader, req.slots, timeoutMs);
    } catch (e) {
      return fail('connection-failed', `Failed to copy logical slots from the ${req.leader.name} via postgresql connection: ${(e as Error).message}`, e);
    }
    for (const s of read.skipped) host.logger.warn(`Will not copy the logical slot "${s.name}": ${s.reason}`);
    if (read.states.length === 0) return ok({ copied: [] });
    const copied = read.states.map((s) => s.name);
    const r = await host.restartAround(() => writeSlotStates(host.dataDir, read.states, host.runAs), timeoutMs);
    if (!r.ok) return r;
    this.readiness.copied(copied);
    host.logger.info(`Copied logical slots [${copied.join(', ')}] from ${req.leader.name}`);
    return ok({ copied });
  }

  /** After a promotion: say which copies might not be safe, and stop checking. */
  promoted(): void {
    const unready = this.readiness.unready();
    if (unready.length) this.host.logger.warn(`Logical replication slots that might be unsafe to use after promote: [${unready.join(', ')}]`);
    this.readiness.clear();
  }
}
