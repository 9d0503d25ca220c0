/**
 * Planted bugs: each removes exactly one safety step from the real engine by rewriting
 * what decide() sees or returns, from outside it. The engine itself carries no switch for
 * them; the simulation's own tests (test/sim/mutation-suite.test.ts for all of them,
 * test/sim/planted-bugs.test.ts and test/sim/pinned-instants.test.ts in depth) prove the
 * invariants notice each one. One at least per safety step of spec/ha.md (§1.8, §1.10,
 * §1.11, §1.14, §1.15, §3.11).
 */
import { gateOf, mapBranches, mapLeaves, walk, type Action, type Decision, type Gate } from '../src/ha/actions.js';
import type { EngineRewrite } from '../src/ha/loop.js';
import type { PeerStatus } from '../src/ha/peers.js';
import type { HaView } from '../src/ha/view.js';
import { STANDBY_KEEPS_WRITING } from './standby-planted.js';

export type PlantedBug =
  | 'skip-demote-on-lost'
  | 'keep-primary-when-dcs-unreachable'
  | 'skip-sync-filter'
  | 'lowest-wal-wins'
  | 'ignore-max-lag-on-failover'
  | 'strict-forgets-star'
  | 'strict-bootstrap-without-star'
  | 'promote-before-sync'
  | 'late-guard-arm'
  | 'quorum-promote-without-votes'
  | 'quorum-lowered-too-far'
  | 'standby-keeps-writing';

export const PLANTED_BUGS: Readonly<Record<PlantedBug, EngineRewrite>> = {
  // §1.11: a primary whose lock refresh answers `lost` keeps running instead of demoting.
  'skip-demote-on-lost': { decision: (d) => rewriteGates(d, keepRunningOnLost) },
  // §1.14: with failsafe off, a primary that cannot reach the DCS keeps running (no offline demotion).
  'keep-primary-when-dcs-unreachable': { decision: (d) => mapLeaves(d, keepRunningWithoutDcs) },
  // §1.8 step 7: the automatic leader race ignores /sync, so any replica may promote in sync mode.
  'skip-sync-filter': { view: hideSyncLeaderDuringRace },
  // §1.8 step 8: peers' WAL positions mirrored around ours, so the replica with the LOWEST position wins.
  'lowest-wal-wins': { view: mirrorPeerPositions },
  // §1.8 step 8: maximum_lag_on_failover is not enforced (as if it were unbounded).
  'ignore-max-lag-on-failover': { view: (view) => ({ ...view, config: { ...view.config, maximumLagOnFailover: Number.MAX_SAFE_INTEGER } }) },
  // §1.15 step 4, §1.10: strict mode with no standby to name clears synchronous_standby_names instead of setting `*`.
  'strict-forgets-star': { decision: (d) => mapActions(d, (a) => (a.type === 'setSyncStandbyNames' && a.value === '*' ? { ...a, value: null } : a)) },
  // Bootstrap in strict mode: the new cluster's Postgres starts with an empty
  // synchronous_standby_names and gets `*` only once the bootstrap is done.
  'strict-bootstrap-without-star': { decision: (d) => rewriteGates(d, bootstrapWithoutStar) },
  // §1.10 step 4 / §5 inv. 4: promotion does not wait for /sync to name us; the leader's later sync pass writes it.
  'promote-before-sync': { decision: promoteWithoutSyncWrite },
  // The guard is armed only by a cycle that finds Postgres already running as primary
  // (the agent's fence did this before the one assembly): a promotion is unguarded until
  // the cycle after it.
  'late-guard-arm': { decision: (d, view) => (view.local.running && view.local.observation?.inRecovery === false ? d : withoutArm(d)) },
  // Quorum commit: the leader race reads /sync's quorum as 0, so a voter promotes without
  // hearing from any other voter (and publishes that quorum).
  'quorum-promote-without-votes': { view: quorumZeroDuringRace },
  // Quorum commit: every /sync write states a quorum one lower than synchronous_standby_names backs.
  'quorum-lowered-too-far': { decision: (d) => rewriteGates(d, (g) => (g.type === 'writeSync' && g.quorum ? { ...g, quorum: g.quorum - 1 } : g)) },
  // §1.16: a primary of a cluster that became a standby cluster keeps accepting writes.
  'standby-keeps-writing': STANDBY_KEEPS_WRITING,
};

function quorumZeroDuringRace(view: HaView): HaView {
  if (view.dcs.kind !== 'loaded' || view.dcs.cluster.leader || !view.dcs.cluster.sync.leader) return view;
  const cluster = view.dcs.cluster;
  return { ...view, dcs: { ...view.dcs, cluster: { ...cluster, sync: { ...cluster.sync, extra: { ...cluster.sync.extra, quorum: 0 } } } } };
}

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

/** The leaf of an unreachable DCS demotes offline; planted: it only logs and keeps the primary. */
function keepRunningWithoutDcs(leaf: Decision): Decision {
  if (leaf.reason !== 'dcs-unavailable-demote') return leaf;
  const kept = leaf.actions.filter((a) => a.type !== 'demote' && !(a.type === 'remember' && 'rewind' in a.patch));
  return { ...leaf, reason: 'dcs-unavailable', message: 'DCS is not accessible', actions: kept };
}

/** Each reachable replica peer's position reflected around ours: those ahead look behind, and the other way round. */
function mirrorPeerPositions(view: HaView): HaView {
  if (!view.peers) return view;
  const mine = view.local.observation?.walPosition ?? 0;
  const peers = new Map<string, PeerStatus>();
  for (const [name, st] of view.peers) peers.set(name, st.reachable && st.inRecovery ? { ...st, walPosition: Math.max(0, 2 * mine - st.walPosition) } : st);
  return { ...view, peers };
}

/** The won initialize race no longer sets `*` before the bootstrap starts Postgres. */
function bootstrapWithoutStar(gate: Gate): Gate {
  if (gate.type !== 'claimInitialize') return gate;
  return { ...gate, onWon: { ...gate.onWon, actions: gate.onWon.actions.filter((a) => a.type !== 'setSyncStandbyNames') } };
}

/** The writeSync gate before a promotion (leader = us, no standbys) replaced by what follows it. */
function promoteWithoutSyncWrite(d: Decision): Decision {
  const gate = gateOf(d);
  if (!gate) return d;
  if (gate.type === 'writeSync' && gate.standbys.length === 0 && walk(gate.onWritten).actions.some((a) => a.type === 'promote')) {
    return { ...d, actions: [...d.actions.slice(0, -1), ...promoteWithoutSyncWrite(gate.onWritten).actions] };
  }
  return { ...d, actions: [...d.actions.slice(0, -1), mapBranches(gate, promoteWithoutSyncWrite)] };
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

/** Applies `map` to every plain action of the tree (gates keep their place; their branches are mapped). */
function mapActions(d: Decision, map: (a: Action) => Action): Decision {
  const actions = d.actions.map((a, i) => (i === d.actions.length - 1 && gateOf(d) ? a : map(a)));
  const gate = gateOf(d);
  return { ...d, actions: gate ? [...actions.slice(0, -1), mapBranches(gate, (b) => mapActions(b, map))] : actions };
}

/** Applies `map` to every gate of the tree, innermost first. */
function rewriteGates(d: Decision, map: (gate: Gate) => Gate): Decision {
  const gate = gateOf(d);
  if (!gate) return d;
  return { ...d, actions: [...d.actions.slice(0, -1), map(mapBranches(gate, (b) => rewriteGates(b, map)))] };
}
