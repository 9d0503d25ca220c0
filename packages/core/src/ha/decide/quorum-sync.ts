/**
 * Quorum commit on the leader (synchronous_mode: quorum): reads the cycle's state into
 * quorum-rule.ts's terms and turns this cycle's steps into gated actions, each write
 * going ahead only if the one before it took effect (a lost /sync CAS or an ssn that
 * Postgres refused ends the cycle's sync processing; the next cycle plans again).
 */
import type { SyncState } from '../../dcs/cluster.js';
import { decision, type Action, type Decision } from '../actions.js';
import { memberTags, type Ctx } from './context.js';
import { planQuorumSteps, stepsForThisCycle, type QuorumInputs, type QuorumStep } from './quorum-rule.js';
import { formatQuorumStandbyNames, parseStandbyNames } from './quorum-standby-names.js';
import { lsnColumn } from './sync.js';

/** `/sync`'s quorum as Patroni 4 reads it: an integer, 0 when absent or without a leader. */
export function syncQuorum(sync: SyncState): number {
  const raw = sync.extra['quorum'];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : 0;
  return sync.leader && Number.isInteger(n) && n > 0 ? n : 0;
}

/** The cycle's inputs to the step rule, plus the memory update when the live ssn changed. */
export function quorumInputs(ctx: Ctx): { inputs: QuorumInputs; remember: Action | null } {
  const obs = ctx.local.observation;
  const live = obs?.synchronousStandbyNames ?? '';
  const ssn = parseStandbyNames(live);
  const watch = ctx.memory.syncWatch;
  // Standbys confirm once they pass the primary's WAL position of the moment the live
  // value changed: commits acknowledged before it did not wait for them.
  const changed = !watch || watch.names !== live;
  const remember: Action | null = changed && obs ? { type: 'remember', patch: { syncWatch: { names: live, lsn: obs.walPosition } } } : null;
  const members = new Map(ctx.cluster.members.map((m) => [m.name.toLowerCase(), m]));
  const listed = new Set(ssn.names.map((n) => n.toLowerCase()));
  const rows = (obs?.replication ?? [])
    .filter((r) => r.state === 'streaming')
    .map((r) => ({ row: r, member: members.get(r.applicationName.toLowerCase()), lsn: lsnColumn(r, obs!.synchronousCommit) }))
    .filter((r) => r.member && r.member.name !== ctx.me && r.member.data.state === 'running' && !memberTags(r.member).nosync)
    .sort((a, b) => b.lsn - a.lsn)
    // Promotable standbys first; a nofailover one only while too few others stream.
    .sort((a, b) => Number(memberTags(a.member!).nofailover) - Number(memberTags(b.member!).nofailover));
  const best = rows.length > 1 ? rows.reduce((max, r) => Math.max(max, r.lsn), 0) : ctx.walPosition;
  const active: string[] = [];
  const confirmed: string[] = [];
  for (const r of rows) {
    if (ctx.config.maximumLagOnSyncnode > 0 && best - r.lsn > ctx.config.maximumLagOnSyncnode) continue;
    if (memberTags(r.member!).nofailover && active.length >= ctx.config.synchronousNodeCount) continue;
    const name = r.member!.name;
    active.push(name);
    const inForce = r.row.syncState === 'quorum' || r.row.syncState === 'sync' || r.row.syncState === 'potential';
    if (!changed && watch && listed.has(name.toLowerCase()) && inForce && r.lsn >= watch.lsn) confirmed.push(name);
  }
  const sync = ctx.cluster.sync;
  return {
    inputs: {
      me: ctx.me,
      syncLeader: sync.leader,
      quorum: syncQuorum(sync),
      voters: sync.syncStandbys,
      ssn,
      confirmed,
      active,
      wanted: ctx.config.synchronousNodeCount,
      strict: ctx.config.synchronousModeStrict,
    },
    remember,
  };
}

/** Wraps `leaf` (the leader's cycle outcome) with this cycle's quorum steps. */
export function withQuorumProcessing(ctx: Ctx, leaf: Decision): Decision {
  // Still promoting: no standby streams from us yet, and /sync was set up before the
  // promotion; planning now would drop every voter for nothing.
  if (!ctx.local.observation || ctx.local.observation.inRecovery) return leaf;
  const { inputs, remember } = quorumInputs(ctx);
  const steps = stepsForThisCycle(planQuorumSteps(inputs));
  const body = chainSteps(ctx, steps, leaf);
  return remember ? { ...body, actions: [remember, ...body.actions] } : body;
}

/** Each step as a gate whose success branch holds the next one; failure ends at `leaf`. */
function chainSteps(ctx: Ctx, steps: readonly QuorumStep[], leaf: Decision): Decision {
  let next = leaf;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const chain = steps.slice(0, i).some((s) => s.kind === 'sync');
    next = step.kind === 'sync' ? syncWrite(ctx, step, chain, next, leaf) : ssnWrite(step, next, leaf);
  }
  return next;
}

function syncWrite(ctx: Ctx, step: Extract<QuorumStep, { kind: 'sync' }>, chain: boolean, then: Decision, leaf: Decision): Decision {
  const message = `Setting leader to ${step.leader}, quorum to ${step.quorum} of (${step.voters.join(', ')})`;
  return decision(leaf.reason, leaf.message, [
    { type: 'log', level: 'info', message },
    {
      type: 'writeSync',
      leader: step.leader,
      standbys: step.voters,
      quorum: step.quorum,
      version: ctx.cluster.sync.version,
      chain,
      onWritten: then,
      onConflict: leaf,
    },
  ]);
}

function ssnWrite(step: Extract<QuorumStep, { kind: 'ssn' }>, then: Decision, leaf: Decision): Decision {
  const value = formatQuorumStandbyNames(step.num, step.names);
  return decision(leaf.reason, leaf.message, [
    { type: 'log', level: 'info', message: `Assigning synchronous_standby_names to ${value ?? "''"}` },
    { type: 'applySyncStandbyNames', value, onApplied: then, onFailed: leaf },
  ]);
}

/**
 * Before a standby promotes in quorum mode: `/sync` names it leader, the former leader
 * becomes a voter and the quorum stays, and its synchronous_standby_names asks enough of
 * those voters (|voters| − quorum) that any quorum + 1 of them meets every commit it will
 * acknowledge. Only once both hold does `launch` (the promotion) run.
 */
export function quorumPrePromote(ctx: Ctx, launch: Decision, postponed: Decision): Decision {
  const sync = ctx.cluster.sync;
  const me = ctx.me.toLowerCase();
  const pool = sync.leader ? [...sync.syncStandbys, sync.leader] : [];
  const voters = [...new Map(pool.filter((n) => n.toLowerCase() !== me).map((n) => [n.toLowerCase(), n])).values()].sort();
  const quorum = voters.length ? Math.min(syncQuorum(sync), voters.length - 1) : 0;
  const strict = ctx.config.synchronousModeStrict;
  const value = voters.length ? formatQuorumStandbyNames(Math.max(voters.length - quorum, 1), voters) : strict ? '*' : null;
  const applied = decision(launch.reason, launch.message, [{ type: 'applySyncStandbyNames', value, onApplied: launch, onFailed: postponed }]);
  return decision(launch.reason, launch.message, [
    { type: 'writeSync', leader: ctx.me, standbys: voters, quorum, version: sync.version, chain: false, onWritten: applied, onConflict: postponed },
  ]);
}
