/**
 * The DCS cannot be reached (§1.14). Only this path — an `unavailable` outcome — may
 * keep a primary running without a renewed lock, and only when failsafe mode is on and
 * every member listed in the last-seen /failsafe accepts our POST /failsafe. A `lost`
 * lock never comes here.
 */
import { findMember, type Cluster } from '../../dcs/cluster.js';
import { decision, type Decision } from '../actions.js';
import type { HaView } from '../view.js';
import type { Ctx } from './context.js';
import { demoteActions } from './demotion.js';

export function decideDcsUnavailable(ctx: Ctx): Decision {
  if (ctx.paused || !ctx.local.running || !ctx.isPrimary) return failed(decision('dcs-unavailable', 'DCS is not accessible'));
  const demote = failed(
    decision('dcs-unavailable-demote', 'demoting self because DCS is not accessible and I was a leader', [
      { type: 'remember', patch: { failsafeActive: false } },
      ...demoteActions(ctx, 'offline'),
    ]),
  );
  const topology = ctx.cluster.failsafe;
  if (!ctx.config.failsafeMode || !topology || !(ctx.me in topology)) return demote;
  const others: Record<string, string> = {};
  for (const [name, url] of Object.entries(topology)) if (name !== ctx.me) others[name] = url;
  const keep = failed(
    decision('failsafe-continue-as-leader', 'continue to run as a leader because failsafe mode is enabled and all members are accessible', [
      { type: 'remember', patch: { failsafeActive: true } },
      // Every member confirmed: our leadership runs on for ttl, and so does the guard.
      ...ctx.armGuard,
    ]),
  );
  return failed(decision(keep.reason, keep.message, [{ type: 'failsafeCheck', members: others, onAccepted: keep, onRejected: demote }]));
}

function failed(d: Decision): Decision {
  // Field by field rather than a spread: built for every lock holder's cycle (the unavailable branch).
  return { reason: d.reason, message: d.message, actions: d.actions, dcsFailed: true };
}

/** The /failsafe members the leader publishes: every member with an api_url, plus itself. */
export function failsafeTopology(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of ctx.cluster.members) if (typeof m.data.api_url === 'string' && m.data.api_url) out[m.name] = m.data.api_url;
  if (!(ctx.me in out)) out[ctx.me] = ctx.node.apiUrl;
  return out;
}

/**
 * §1.1: while failsafe mode is on and a primary told us it is alive (POST /failsafe,
 * younger than ttl), an unlocked snapshot is read as locked by it, so we keep following
 * rather than race.
 */
export function withFailsafeLeader(cluster: Cluster, view: HaView): Cluster {
  const rec = view.failsafeLeader;
  if (cluster.leader || !view.config.failsafeMode || !rec || rec.name === view.node.name) return cluster;
  if (view.now - rec.receivedAt >= view.config.timing.ttl * 1000) return cluster;
  const member = findMember(cluster, rec.name) ?? {
    name: rec.name,
    version: '',
    session: null,
    data: { conn_url: rec.connUrl ?? undefined, api_url: rec.apiUrl ?? undefined, role: 'primary' },
  };
  return { ...cluster, leader: { name: rec.name, version: '', session: null, member } };
}
