/**
 * Planted bugs: each removes exactly one safety step from the real engine by rewriting
 * what decide() sees or returns, from outside it. The engine itself carries no switch for
 * them; the simulation's own tests (test/sim/planted-bugs.test.ts,
 * test/sim/pinned-instants.test.ts) prove the invariants notice each one.
 */
import { gateOf, mapBranches, type Decision, type Gate } from '../src/ha/actions.js';
import type { EngineRewrite } from '../src/ha/loop.js';
import type { HaView } from '../src/ha/view.js';

export type PlantedBug = 'skip-demote-on-lost' | 'skip-sync-filter' | 'late-guard-arm';

export const PLANTED_BUGS: Readonly<Record<PlantedBug, EngineRewrite>> = {
  // A primary whose lock refresh answers `lost` keeps running instead of demoting.
  'skip-demote-on-lost': { decision: (d) => rewriteGates(d, keepRunningOnLost) },
  // The automatic leader race ignores /sync, so any replica may promote in sync mode.
  'skip-sync-filter': { view: hideSyncLeaderDuringRace },
  // The guard is armed only by a cycle that finds Postgres already running as primary
  // (the agent's fence did this before the one assembly): a promotion is unguarded until
  // the cycle after it.
  'late-guard-arm': { decision: (d, view) => (view.local.running && view.local.observation?.inRecovery === false ? d : withoutArm(d)) },
};

function keepRunningOnLost(gate: Gate): Gate {
  if (gate.type !== 'refreshLeader' || gate.onLost.reason !== 'lock-lost-demote') return gate;
  const lost = gate.onLost;
  return {
    ...gate,
    onLost: {
      ...lost,
      reason: 'lock-lost-paused-primary',
      message: 'continue to run as primary after failing to update leader lock in DCS',
      actions: lost.actions.filter((a) => a.type !== 'demote'),
    },
  };
}

function hideSyncLeaderDuringRace(view: HaView): HaView {
  if (view.dcs.kind !== 'loaded' || view.dcs.cluster.leader || !view.dcs.cluster.sync.leader) return view;
  // The /sync version stays, so the winner's own /sync write still succeeds.
  const cluster = { ...view.dcs.cluster, sync: { ...view.dcs.cluster.sync, leader: null } };
  return { ...view, dcs: { ...view.dcs, cluster } };
}

/** The same tree with every armLeaseGuard removed. */
function withoutArm(d: Decision): Decision {
  const stripped = { ...d, actions: d.actions.filter((a) => a.type !== 'armLeaseGuard') };
  return rewriteGates(stripped, (gate) => mapBranches(gate, withoutArm));
}

/** Applies `map` to every gate of the tree, innermost first. */
function rewriteGates(d: Decision, map: (gate: Gate) => Gate): Decision {
  const gate = gateOf(d);
  if (!gate) return d;
  return { ...d, actions: [...d.actions.slice(0, -1), map(mapBranches(gate, (b) => rewriteGates(b, map)))] };
}
