/**
 * The standby-cluster invariants (spec/ha.md §1.16), judged after every step of a run
 * with a StandbyPhase:
 * - **standby-writer** — once `/config` has named a standby cluster for longer than
 *   `boundMs` (ttl + loop_wait + the model's fast stop: the old primary either reads the
 *   section at its next renewal and stops, or loses its lease and is demoted or fenced),
 *   no Postgres in the cluster accepts writes — not the standby leader, not any member.
 * - **standby-two-leaders** — after the section is removed, never more than one writable
 *   Postgres at an instant, and the writable one holds the leader key.
 */
import type { InvariantChecker } from './invariants.js';
import type { StandbyPhase } from './standby-phase.js';
import type { World } from './world.js';

export type StandbyInvariant = 'standby-writer' | 'standby-two-leaders';

export function standbyBoundMs(world: World): number {
  const t = world.timing;
  return (t.ttl + t.loopWait) * 1000 + world.pgTimings.stopFastMs;
}

export function standbyFinding(world: World, phase: StandbyPhase, boundMs: number): { invariant: StandbyInvariant; message: string } | null {
  const now = world.clock.now();
  const writable = world.nodes.filter((n) => n.pg.isWritable());
  if (phase.standbySince !== null && now - phase.standbySince > boundMs && writable.length) {
    const who = writable.map((n) => `${n.name} (tli ${n.pg.timeline})`).join(', ');
    return {
      invariant: 'standby-writer',
      message: `${who} accept writes ${((now - phase.standbySince) / 1000).toFixed(1)}s after /config made this a standby cluster (bound ${boundMs / 1000}s; leader key ${world.leaderKeyHolder() ?? 'absent'})`,
    };
  }
  if (phase.promotedAt !== null && writable.length > 1) {
    return { invariant: 'standby-two-leaders', message: `${writable.map((n) => n.name).join(' and ')} accept writes at once after the standby cluster was promoted` };
  }
  return null;
}

/** Registers the check beside the checker's own; the first finding stops the world as theirs do. */
export function attachStandbyChecks(world: World, checker: InvariantChecker, phase: StandbyPhase): void {
  const boundMs = standbyBoundMs(world);
  world.stepHooks.push(() => {
    const finding = standbyFinding(world, phase, boundMs);
    if (!finding) return;
    checker.violations.push({ invariant: finding.invariant, at: world.clock.now(), message: finding.message });
    world.log.add('VIOLATED', `${finding.invariant}: ${finding.message}`);
    world.stop();
  });
}
