/**
 * Choosing the members a command acts on, as patronictl does: by role (`-r`), by the
 * names given, or by asking; then confirming unless `--force`.
 */
import { normalizeRole, type Cluster, type Member } from '@pgwarden/core';
import type { CommandContext } from './context.js';
import { CtlError } from './errors.js';
import { formatMembers } from './members-output.js';

export const ROLE_CHOICES = ['leader', 'primary', 'standby-leader', 'replica', 'standby', 'any', 'master'] as const;

export function membersByRole(cluster: Cluster, role: string): Member[] {
  const leader = cluster.leader;
  if (role === 'leader' || role === 'master' || role === 'primary' || role === 'standby-leader') {
    if (!leader?.name) return [];
    const leaderRole = normalizeRole(leader.member.data.role);
    if (role === 'leader') return [leader.member];
    if (role === 'standby-leader') return leaderRole !== 'primary' ? [leader.member] : [];
    return leaderRole !== 'standby_leader' ? [leader.member] : [];
  }
  return cluster.members.filter((m) => role === 'any' || ((role === 'replica' || role === 'standby') && m.name !== leader?.member.name));
}

/** The leader first, then the others; only members with an api_url. */
export function membersLeaderFirst(cluster: Cluster): Member[] {
  const leaderName = cluster.leader?.member.data.api_url ? cluster.leader.name : null;
  const out: Member[] = leaderName && cluster.leader ? [cluster.leader.member] : [];
  for (const m of cluster.members) if (m.data.api_url && m.name !== leaderName) out.push(m);
  return out;
}

export async function confirmMembersAction(ctx: CommandContext, members: readonly Member[], force: boolean, action: string, scheduledAt?: string | null): Promise<void> {
  if (force) return;
  const names = members.map((m) => m.name).join(', ');
  if (scheduledAt) {
    if (!(await ctx.io.confirm(`Are you sure you want to schedule ${action} of members ${names} at ${scheduledAt}?`))) throw new CtlError(`Aborted scheduled ${action}`);
  } else if (!(await ctx.io.confirm(`Are you sure you want to ${action} members ${names}?`))) {
    throw new CtlError(`Aborted ${action}`);
  }
}

export async function selectMembers(
  ctx: CommandContext,
  cluster: Cluster,
  clusterName: string,
  names: readonly string[],
  role: string,
  force: boolean,
  action: string,
  askConfirmation = true,
): Promise<Member[]> {
  const candidates = membersByRole(cluster, role);
  const candidateNames = new Set(candidates.map((m) => m.name));
  if (!force || role) {
    if (!names.length && !candidateNames.size) throw new CtlError(`${clusterName} cluster doesn't have any members`);
    ctx.io.echo(formatMembers(cluster, clusterName));
  }
  let chosen = [...names];
  if (chosen.length) {
    chosen = chosen.filter((n) => candidateNames.has(n));
    if (!chosen.length) throw new CtlError(`No ${role} among provided members`);
  } else if (action !== 'reinitialize') {
    chosen = [...candidateNames];
  }
  if (!chosen.length && !force) {
    chosen = [await ctx.io.prompt(`Which member do you want to ${action} [${[...candidateNames].join(', ')}]?`, { default: '' })];
  }
  for (const n of chosen) if (!candidateNames.has(n)) throw new CtlError(`${n} is not a member of cluster`);
  const members = candidates.filter((m) => chosen.includes(m.name));
  if (askConfirmation) await confirmMembersAction(ctx, members, force, action);
  return members;
}

/** `Failed: <action> for member X, status code=N, (<body>)` or `Success: <action> for member X`. */
export function checkResponse(ctx: CommandContext, res: { status: number; body: string }, member: string, action: string, silentSuccess = false): boolean {
  if (res.status >= 400) {
    ctx.io.echo(`Failed: ${action} for member ${member}, status code=${res.status}, (${res.body})`);
    return false;
  }
  if (!silentSuccess) ctx.io.echo(`Success: ${action} for member ${member}`);
  return true;
}

export function apiUrl(member: Member): string {
  const url = member.data.api_url;
  if (!url) throw new CtlError(`Member ${member.name} has no api_url`);
  return url;
}
