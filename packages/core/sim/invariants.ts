/**
 * The safety and liveness properties checked after every step of a run (issue #4).
 *
 * 1. **two-writers** — at no virtual instant do two Postgres models accept writes.
 * 2. **writer-past-lease** — no model accepts writes after its node's last successful lock
 *    refresh (counted from when it was *sent*) + ttl, i.e. the `validUntil` of its last
 *    `held` answer. Except while that node's agent is frozen (SIGSTOP) or dead: nothing
 *    inside the agent can act then, only a fence outside it; those instants are counted
 *    (`fenceCovered`) and printed, not flagged. A node that never held the lock (the
 *    bootstrap before its first acquire) has no lease to outlive; two-writers covers it.
 * 3. **lost-commit** — under synchronous_mode, every commit acknowledged with a standby's
 *    confirmation is on every later primary: checked each time a node becomes the
 *    writable lock holder (a failover) and at the end. Commits acknowledged without one
 *    (asynchronous, or released when synchronous_standby_names was emptied) may be lost
 *    by design; they are counted, not flagged.
 * 4. **nofailover** — a node tagged `nofailover` never runs as a writable primary.
 * 5. **liveness** — once every fault has healed, a writable primary holding the lock
 *    exists within `livenessBoundMs` and stays while no new fault begins (see
 *    livenessBound for the bound); **replica-follows** — by then every other node whose
 *    agent runs streams from it.
 */
import type { DcsTiming } from '../src/dcs/timing.js';
import { formatTime } from './event-log.js';
import type { PgModelTimings } from './pg-timings.js';
import type { AckedCommit } from './postgres-model.js';
import { commitIds } from './wal.js';
import type { SimNode, World } from './world.js';

export type InvariantName = 'two-writers' | 'writer-past-lease' | 'lost-commit' | 'nofailover' | 'liveness' | 'replica-follows';

export interface Violation {
  readonly invariant: InvariantName;
  readonly at: number;
  readonly message: string;
}

export interface InvariantOptions {
  /** Time after the last heal by which a primary must exist. Default: see livenessBound. */
  readonly livenessBoundMs?: number;
  /** Nodes tagged nofailover (they must never become writable). */
  readonly nofailover?: readonly string[];
  /** Check replica-follows (default true). */
  readonly replicasFollow?: boolean;
}

/**
 * The default liveness bound, issue #4's `2·ttl + loop_wait`: the old lease may run for up
 * to ttl after the heal; a replica notices at its next cycle or at once through the watch;
 * the race, the acquire and the promote (pre-promote + promote, under a second) or a
 * start after a crash (start + crash recovery, 2.5 s) fit in the second ttl.
 */
export function livenessBound(timing: DcsTiming, _pg: PgModelTimings): number {
  return (2 * timing.ttl + timing.loopWait) * 1000;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  readonly livenessBoundMs: number;
  /** Instants (steps) at which a node was writable past its lease while its agent was frozen or dead. */
  fenceCoveredInstants = 0;
  /** …and the virtual ms they span. */
  fenceCoveredMs = 0;
  private readonly nofailover: ReadonlySet<string>;
  private readonly replicasFollow: boolean;
  private lastStepAt = 0;
  /** The primaries (name:timeline) already checked for lost commits. */
  private readonly checkedPrimaries = new Set<string>();

  constructor(
    private readonly world: World,
    options: InvariantOptions = {},
  ) {
    this.livenessBoundMs = options.livenessBoundMs ?? livenessBound(world.timing, world.pgTimings);
    this.nofailover = new Set(options.nofailover ?? []);
    this.replicasFollow = options.replicasFollow ?? true;
  }

  /** Registers the per-step checks; the world stops at the first violation. */
  attach(): void {
    this.world.stepHooks.push(() => {
      const before = this.violations.length;
      this.checkStep();
      if (this.violations.length > before) this.world.stop();
    });
  }

  checkStep(): void {
    this.checkWriters();
    this.checkNewPrimary();
    this.checkLiveness();
    this.lastStepAt = this.world.clock.now();
  }

  /** The checks that only make sense once the run is over (faults healed, settled). */
  checkEnd(): void {
    this.checkStep();
    if (this.violations.length > 0) return;
    const [primary] = this.validPrimaries();
    if (primary) this.checkLostCommits(primary);
  }

  /** Nodes that are writable and hold the lock right now. */
  validPrimaries(): SimNode[] {
    const holder = this.world.leaderKeyHolder();
    return this.world.nodes.filter((n) => n.pg.isWritable() && n.name === holder);
  }

  private checkWriters(): void {
    const now = this.world.clock.now();
    const writable = this.world.nodes.filter((n) => n.pg.isWritable());
    if (writable.length > 1) {
      const who = writable.map((n) => `${n.name} (tli ${n.pg.timeline}, lease until ${fmt(n.lock.lastValidUntil)})`).join(' and ');
      this.add('two-writers', `${who} accept writes at the same instant; leader key ${this.world.leaderKeyHolder() ?? 'absent'}`);
    }
    let covered = false;
    for (const n of writable) {
      if (this.nofailover.has(n.name)) this.add('nofailover', `${n.name} is tagged nofailover but runs as a writable primary`);
      const until = n.lock.lastValidUntil;
      if (until === null || now <= until) continue;
      const proc = n.process;
      if (!proc || proc.state !== 'running') {
        covered = true; // only a fence outside the agent can act now
        continue;
      }
      this.add('writer-past-lease', `${n.name} accepts writes at ${fmt(now)}s, past its lease (last refresh sent + ttl = ${fmt(until)}s), with its agent running`);
    }
    if (covered) {
      this.fenceCoveredInstants++;
      this.fenceCoveredMs += now - this.lastStepAt;
    }
  }

  /** A failover happened (a new writable lock holder): it must carry every confirmed commit. */
  private checkNewPrimary(): void {
    if (!this.world.synchronousMode) return;
    for (const p of this.validPrimaries()) {
      const key = `${p.name}:${p.pg.timeline}`;
      if (this.checkedPrimaries.has(key)) continue;
      this.checkedPrimaries.add(key);
      this.checkLostCommits(p);
    }
  }

  private checkLiveness(): void {
    const w = this.world;
    if (w.activeFaults > 0) return;
    const since = w.clock.now() - w.lastHealAt;
    if (since < this.livenessBoundMs) return;
    // Nobody is eligible to lead when every node is tagged nofailover.
    if (w.nodes.every((n) => this.nofailover.has(n.name))) return;
    const [leader] = this.validPrimaries();
    const state = (): string => w.nodes.map((n) => `${n.name}:${n.pg.status().state}/${n.pg.status().role}`).join(' ');
    if (!leader) {
      this.add('liveness', `no writable primary holding the lock ${(since / 1000).toFixed(1)}s after the last fault healed (bound ${this.livenessBoundMs / 1000}s; leader key ${w.leaderKeyHolder() ?? 'absent'}; ${state()})`);
      return;
    }
    // Every healthy replica (its agent runs; no fault is active) streams from the leader.
    const stray = w.nodes.find((n) => n !== leader && n.process?.state === 'running' && !n.pg.isStreamingFrom(leader.name));
    if (stray && this.replicasFollow) {
      this.add('replica-follows', `${stray.name} does not stream from the leader ${leader.name} ${(since / 1000).toFixed(1)}s after the last fault healed (bound ${this.livenessBoundMs / 1000}s; ${state()})`);
    }
  }

  private checkLostCommits(primary: SimNode): void {
    if (!this.world.synchronousMode) return;
    const present = commitIds(primary.pg.wal);
    for (const c of this.allAcked()) {
      if (!c.sync || present.has(c.id)) continue;
      this.add('lost-commit', `commit ${c.id} acknowledged synchronously by ${c.node} at ${fmt(c.at)}s (lsn ${c.lsn}, tli ${c.tli}) is missing on primary ${primary.name} (tli ${primary.pg.timeline})`);
      return; // one is enough to fail the run; the rest would repeat it
    }
  }

  /** Acknowledged commits missing on the final primary, sync or not (for the report). */
  lostCommits(): { sync: AckedCommit[]; async: AckedCommit[] } {
    const [primary] = this.validPrimaries();
    if (!primary) return { sync: [], async: [] };
    const present = commitIds(primary.pg.wal);
    const lost = this.allAcked().filter((c) => !present.has(c.id));
    return { sync: lost.filter((c) => c.sync), async: lost.filter((c) => !c.sync) };
  }

  private allAcked(): AckedCommit[] {
    return this.world.nodes.flatMap((n) => n.pg.acked);
  }

  private add(invariant: InvariantName, message: string): void {
    this.violations.push({ invariant, at: this.world.clock.now(), message });
    this.world.log.add('VIOLATED', `${invariant}: ${message}`);
  }
}

function fmt(ms: number | null): string {
  return ms === null ? 'never' : formatTime(ms).trim();
}
