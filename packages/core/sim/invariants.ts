/**
 * The safety and liveness properties checked after every step of a run.
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
 *
 * Against ground truth (rather than what an agent or adapter was told):
 * 6. **writable-past-server-lease** — a writable primary that has held the lock holds it
 *    *as the DCS server does*: the leader key names it (an expired lease deletes the key
 *    at its expiry). No tolerance: the fence fires at the adapter's validUntil, which is
 *    never after the server's expiry. Frozen or dead agents: as for writer-past-lease
 *    (fence-covered, counted there). Not checked with failsafe_mode on.
 * 7. **fence-kill-of-live-agent** — the fence (the last resort) never kills a postmaster
 *    whose agent ran throughout the last retry_timeout and heard from the DCS in it: such
 *    an agent must have stepped down by itself.
 * 8. **strict-sync-ack** — under synchronous_mode_strict every acknowledged commit was
 *    confirmed by the standbys /sync listed at that instant (strict-sync-check.ts).
 * 9. **race-winner-lagging**, **race-winner-behind**, **race-winner-not-in-sync** — a won
 *    leader race respects maximum_lag_on_failover, no answering eligible peer had more WAL,
 *    and in sync mode the winner was listed in /sync (race-checks.ts).
 * 10. **async-loss-bound** — asynchronous commits lost at a failover are at most
 *    maximum_lag_on_failover plus what the old primary wrote after the optime it last
 *    published (loss-bound-check.ts).
 * 11. **quorum-ack**, **quorum-sync-unsafe** — under synchronous_mode: quorum, every
 *    acknowledged commit stays on enough of /sync's voters that any quorum + 1 of them
 *    include one holding it (quorum-check.ts).
 */
import type { DcsTiming } from '../src/dcs/timing.js';
import { formatTime } from './event-log.js';
import type { PgModelTimings } from './pg-timings.js';
import { failsafeModeOn } from './dcs-truth.js';
import { AsyncLossBound } from './loss-bound-check.js';
import type { AckedCommit } from './postgres-model.js';
import { judgeRaceWinner, type RaceFinding } from './race-checks.js';
import { StrictAckWatch } from './strict-sync-check.js';
import { QuorumSyncWatch, quorumAckViolation, type QuorumInvariant } from './quorum-check.js';
import { SeenTimelines } from './seen-timelines.js';
import { commitIds, holdsCommit } from './wal.js';
import type { SimNode, World } from './world.js';
import type { StandbyInvariant } from './standby-check.js';

export type InvariantName =
  | 'two-writers'
  | 'writer-past-lease'
  | 'lost-commit'
  | 'nofailover'
  | 'liveness'
  | 'replica-follows'
  | 'writable-past-server-lease'
  | 'fence-kill-of-live-agent'
  | 'strict-sync-ack'
  | 'async-loss-bound'
  | QuorumInvariant
  | StandbyInvariant
  | RaceFinding['invariant'];

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
  /** Judge each won leader race (default true); off, a race bug shows only in its consequences (async-loss-bound). */
  readonly raceChecks?: boolean;
}

/**
 * The default liveness bound, `2·ttl + loop_wait`: the old lease may run for up
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
  /** The primaries (node, timeline) already checked for lost commits. */
  private readonly checkedPrimaries = new SeenTimelines();
  /** Per node, how many of its fence kills were already judged. */
  private readonly fenceKillsSeen = new Map<string, number>();
  readonly lossBound: AsyncLossBound;
  /** Judges each new /sync in quorum mode (quorum-check.ts). */
  private readonly quorumSync: QuorumSyncWatch;
  private readonly strictAcks: StrictAckWatch;

  constructor(
    private readonly world: World,
    options: InvariantOptions = {},
  ) {
    this.livenessBoundMs = options.livenessBoundMs ?? livenessBound(world.timing, world.pgTimings);
    this.nofailover = new Set(options.nofailover ?? []);
    this.replicasFollow = options.replicasFollow ?? true;
    this.lossBound = new AsyncLossBound(world);
    this.quorumSync = new QuorumSyncWatch(world);
    this.strictAcks = new StrictAckWatch(world);
    // Judged at their own instant: /sync and /status may change later in the same step.
    for (const n of world.nodes) {
      n.pg.ackListeners.add((commit) => {
        const message = this.strictAcks.onAck(commit);
        if (message) this.add('strict-sync-ack', message);
        const quorum = quorumAckViolation(world, commit);
        if (quorum) this.add('quorum-ack', quorum);
      });
    }
    if (options.raceChecks !== false) {
      world.raceWonHooks.push((winner) => {
        const finding = judgeRaceWinner(world, winner, this.nofailover);
        if (finding) this.add(finding.invariant, finding.message);
      });
    }
  }

  /** Registers the per-step checks; the world stops at the first violation (some are found between steps). */
  attach(): void {
    this.world.stepHooks.push(() => {
      this.checkStep();
      if (this.violations.length > 0) this.world.stop();
    });
  }

  checkStep(): void {
    const unsafeSync = this.quorumSync.check();
    if (unsafeSync) this.add('quorum-sync-unsafe', unsafeSync);
    const bootstrapAck = this.strictAcks.step();
    if (bootstrapAck) this.add('strict-sync-ack', bootstrapAck);
    this.checkWriters();
    this.checkFenceKills();
    // The checks below do not change the world: one look at who leads serves them all.
    const primaries = this.validPrimaries();
    this.checkNewPrimary(primaries);
    const lossFinding = this.lossBound.step(primaries);
    if (lossFinding) this.add('async-loss-bound', lossFinding);
    this.checkLiveness(primaries);
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
    if (holder === null) return [];
    const n = this.world.nodes.find((x) => x.name === holder);
    return n && n.pg.isWritable() ? [n] : [];
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
      if (until === null) continue; // never held the lock (bootstrap): no lease to outlive
      const proc = n.process;
      const agentRuns = proc?.state === 'running';
      if (agentRuns && !this.serverHolds(n)) {
        this.add('writable-past-server-lease', `${n.name} accepts writes at ${fmt(now)}s while the DCS server's leader key ${this.world.leaderKeyHolder() === null ? 'is gone (lease expired or deleted)' : `names ${this.world.leaderKeyHolder()}`}; its agent runs (adapter's validUntil ${fmt(until)}s)`);
      }
      if (now <= until) continue;
      if (!agentRuns) {
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

  /** The server's leader key names `n` (its lease alive), or failsafe mode may keep it without. */
  private serverHolds(n: SimNode): boolean {
    return this.world.leaderKeyHolder() === n.name || failsafeModeOn(this.world);
  }

  /** fence-kill-of-live-agent: the fence fired on an agent that ran and reached the DCS throughout its last retry_timeout. */
  private checkFenceKills(): void {
    const window = this.world.timing.retryTimeout * 1000;
    for (const n of this.world.nodes) {
      const seen = this.fenceKillsSeen.get(n.name) ?? 0;
      if (n.fenceKills.length === seen) continue; // nothing new (the common case: no copy)
      for (const k of n.fenceKills.slice(seen)) {
        const ranThroughout = k.agent === 'running' && k.runningSince !== null && k.runningSince <= k.at - window;
        const reached = k.lastDcsOkAt !== null && k.lastDcsOkAt >= k.at - window;
        if (ranThroughout && reached) {
          this.add('fence-kill-of-live-agent', `the fence killed ${n.name}'s postmaster at ${fmt(k.at)}s although its agent ran since ${fmt(k.runningSince)}s and last heard from the DCS at ${fmt(k.lastDcsOkAt)}s (within retry_timeout ${window / 1000}s): it should have stepped down itself`);
        }
      }
      this.fenceKillsSeen.set(n.name, n.fenceKills.length);
    }
  }

  /** A failover happened (a new writable lock holder): it must carry every confirmed commit. */
  private checkNewPrimary(primaries: readonly SimNode[]): void {
    if (!this.world.synchronousMode) return;
    for (const p of primaries) if (this.checkedPrimaries.first(p.name, p.pg.timeline)) this.checkLostCommits(p);
  }

  private checkLiveness(primaries: readonly SimNode[]): void {
    const w = this.world;
    if (w.activeFaults > 0) return;
    const since = w.clock.now() - w.lastHealAt;
    if (since < this.livenessBoundMs) return;
    // Nobody is eligible to lead when every node is tagged nofailover.
    if (w.nodes.every((n) => this.nofailover.has(n.name))) return;
    const [leader] = primaries;
    if (!leader) {
      this.add('liveness', `no writable primary holding the lock ${(since / 1000).toFixed(1)}s after the last fault healed (bound ${this.livenessBoundMs / 1000}s; leader key ${w.leaderKeyHolder() ?? 'absent'}; ${this.nodeStates()})`);
      return;
    }
    // Every healthy replica (its agent runs; no fault is active) streams from the leader.
    const stray = w.nodes.find((n) => n !== leader && n.process?.state === 'running' && !n.pg.isStreamingFrom(leader.name));
    if (stray && this.replicasFollow) {
      this.add('replica-follows', `${stray.name} does not stream from the leader ${leader.name} ${(since / 1000).toFixed(1)}s after the last fault healed (bound ${this.livenessBoundMs / 1000}s; ${this.nodeStates()})`);
    }
  }

  /** Every node's Postgres state and role, for a liveness report. */
  private nodeStates(): string {
    return this.world.nodes.map((n) => `${n.name}:${n.pg.status().state}/${n.pg.status().role}`).join(' ');
  }

  private checkLostCommits(primary: SimNode): void {
    if (!this.world.synchronousMode) return;
    const wal = primary.pg.wal;
    for (const n of this.world.nodes) {
      for (const c of n.pg.acked) {
        if (!c.sync || holdsCommit(wal, c)) continue;
        this.add('lost-commit', `commit ${c.id} acknowledged synchronously by ${c.node} at ${fmt(c.at)}s (lsn ${c.lsn}, tli ${c.tli}) is missing on primary ${primary.name} (tli ${primary.pg.timeline})`);
        return; // one is enough to fail the run; the rest would repeat it
      }
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
