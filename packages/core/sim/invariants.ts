/**
 * The safety and liveness properties checked after every step of a run.
 *
 * 1. **single-primary** — at most one writable primary that holds a valid lock. Precisely:
 *    a node is in violation when it is writable (running primary, not in recovery) while
 *    the leader key (the DCS's ground truth, not anyone's belief) names *another* node,
 *    and either its own last `held` answer's `validUntil` has passed or it released the
 *    key itself since. Two writable primaries can thus coexist only for the instant
 *    between the old lock's validity ending and the old primary being fenced/demoted —
 *    and since nobody can acquire the key before the old lease ends (which is no earlier
 *    than `validUntil`), any overlap means the old primary outlived its lock.
 *    Not a violation: a writable primary with *no* leader key at all after its validity
 *    ended (the window spec/ha.md §5 describes, up to loop_wait + 2·retry_timeout, in which
 *    nobody else can be writable yet). `strictFencing` makes that a violation too.
 * 2. **lost-commit** — under synchronous_mode, every commit acknowledged with a standby's
 *    confirmation is present on the final primary. Commits acknowledged without one
 *    (asynchronous, or released when synchronous_standby_names was emptied) may be lost
 *    by design; they are counted, not flagged.
 * 3. **liveness** — once every fault has healed, a writable primary holding the lock
 *    exists within `livenessBoundMs`, and stays while no new fault begins.
 */
import type { DcsTiming } from '../src/dcs/timing.js';
import { formatTime } from './event-log.js';
import type { PgModelTimings } from './pg-timings.js';
import type { AckedCommit } from './postgres-model.js';
import { commitIds } from './wal.js';
import type { SimNode, World } from './world.js';

export type InvariantName = 'single-primary' | 'lost-commit' | 'liveness';

export interface Violation {
  readonly invariant: InvariantName;
  readonly at: number;
  readonly message: string;
}

export interface InvariantOptions {
  /** Time after the last heal by which a primary must exist. Default: see livenessBound. */
  readonly livenessBoundMs?: number;
  /** Also flag a writable primary past its validUntil when nobody holds the key. */
  readonly strictFencing?: boolean;
}

/**
 * The default liveness bound: the old lease may run for up to ttl after the heal, the
 * next cycles take up to 2·loop_wait (plus 2·retry_timeout of DCS calls), then a promote
 * or a start after a crash (with crash recovery) has to finish.
 */
export function livenessBound(timing: DcsTiming, pg: PgModelTimings): number {
  const seconds = timing.ttl + 2 * timing.loopWait + 2 * timing.retryTimeout;
  return seconds * 1000 + pg.prePromoteMs + pg.promoteMs + pg.startMs + pg.crashRecoveryMs;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  readonly livenessBoundMs: number;
  private readonly strict: boolean;

  constructor(
    private readonly world: World,
    options: InvariantOptions = {},
  ) {
    this.livenessBoundMs = options.livenessBoundMs ?? livenessBound(world.timing, world.pgTimings);
    this.strict = options.strictFencing ?? false;
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
    this.checkSinglePrimary();
    this.checkLiveness();
  }

  /** The checks that only make sense once the run is over (faults healed, settled). */
  checkEnd(): void {
    this.checkStep();
    if (this.violations.length > 0) return;
    this.checkLostCommits();
  }

  /** Nodes that are writable and hold the lock right now. */
  validPrimaries(): SimNode[] {
    const holder = this.world.leaderKeyHolder();
    return this.world.nodes.filter((n) => n.pg.isWritable() && n.name === holder);
  }

  private checkSinglePrimary(): void {
    const now = this.world.clock.now();
    const holder = this.world.leaderKeyHolder();
    for (const n of this.world.nodes) {
      if (!n.pg.isWritable() || n.name === holder) continue;
      const lock = n.lock;
      const expired = !lock.validAt(now);
      if (!expired) continue;
      if (holder !== null) {
        const why = lock.lastValidUntil === null ? 'never held the lock' : lock.releasedAt !== null ? `released the lock at ${formatTime(lock.releasedAt).trim()}s` : `its lock validity ended at ${formatTime(lock.lastValidUntil).trim()}s`;
        this.add('single-primary', `${n.name} is writable while ${holder} holds the leader lock and ${n.name} ${why}`);
      } else if (this.strict) {
        this.add('single-primary', `${n.name} is writable past its lock validity (${lock.lastValidUntil ?? 'never held'}) with no leader key`);
      }
    }
  }

  private checkLiveness(): void {
    const w = this.world;
    if (w.activeFaults > 0) return;
    const since = w.clock.now() - w.lastHealAt;
    if (since < this.livenessBoundMs) return;
    if (this.validPrimaries().length > 0) return;
    const state = w.nodes.map((n) => `${n.name}:${n.pg.status().state}/${n.pg.status().role}`).join(' ');
    this.add('liveness', `no writable primary holding the lock ${(since / 1000).toFixed(1)}s after the last fault healed (bound ${this.livenessBoundMs / 1000}s; leader key ${w.leaderKeyHolder() ?? 'absent'}; ${state})`);
  }

  private checkLostCommits(): void {
    if (!this.world.synchronousMode) return;
    const [primary] = this.validPrimaries();
    if (!primary) return; // liveness reports it
    const present = commitIds(primary.pg.wal);
    for (const c of this.allAcked()) {
      if (!c.sync || present.has(c.id)) continue;
      this.add('lost-commit', `commit ${c.id} acknowledged synchronously by ${c.node} at ${formatTime(c.at).trim()}s (lsn ${c.lsn}, tli ${c.tli}) is missing on the final primary ${primary.name}`);
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
