/**
 * The cluster as `patronictl list` shows it, read from the DCS alone: the leader key,
 * and each member key's role, state, timeline and WAL position.
 */
import type { Cluster, Member } from '@pgwarden/core';

export interface MemberRow {
  readonly member: string;
  readonly host: string;
  readonly role: string;
  readonly state: string;
  readonly tl: string;
  readonly lag: string;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function host(m: Member): string {
  const url = typeof m.data.conn_url === 'string' ? m.data.conn_url : '';
  return /^postgres(?:ql)?:\/\/([^/]+)/.exec(url)?.[1] ?? '?';
}

export function memberRows(cluster: Cluster): MemberRow[] {
  const leaderName = cluster.leader?.name ?? null;
  const leaderMember = cluster.members.find((m) => m.name === leaderName);
  const leaderLsn = num(leaderMember?.data.xlog_location);
  return cluster.members.map((m) => {
    const isLeader = m.name === leaderName;
    const lsn = num(m.data.xlog_location);
    const streaming = m.data.replication_state === 'streaming';
    const state = String(m.data.state ?? '?');
    let lag = '';
    // patronictl: lag in MB behind the leader's last reported position; `unknown` without one.
    if (!isLeader) lag = leaderLsn !== null && lsn !== null ? String(Math.max(0, Math.round((leaderLsn - lsn) / 1048576))) : 'unknown';
    return {
      member: m.name,
      host: host(m),
      role: isLeader ? 'Leader' : 'Replica',
      state: !isLeader && state === 'running' && streaming ? 'streaming' : state,
      tl: num(m.data.timeline) === null ? '' : String(m.data.timeline),
      lag,
    };
  });
}

const HEADERS: readonly (keyof MemberRow)[] = ['member', 'host', 'role', 'state', 'tl', 'lag'];
const TITLES: Record<keyof MemberRow, string> = { member: 'Member', host: 'Host', role: 'Role', state: 'State', tl: 'TL', lag: 'Lag in MB' };

/** A boxed table like patronictl's, with the cluster name in the title line. */
export function renderTable(scope: string, cluster: Cluster): string {
  const rows = memberRows(cluster);
  const width = (k: keyof MemberRow): number => Math.max(TITLES[k].length, ...rows.map((r) => r[k].length));
  const line = '+' + HEADERS.map((k) => '-'.repeat(width(k) + 2)).join('+') + '+';
  const fmt = (cells: Record<keyof MemberRow, string>): string => '| ' + HEADERS.map((k) => cells[k].padEnd(width(k))).join(' | ') + ' |';
  const title = ` Cluster: ${scope} (${cluster.initialize || 'uninitialized'}) `;
  const top = '+' + title.padEnd(line.length - 2, '-').slice(0, line.length - 2) + '+';
  return [top, fmt(TITLES), line, ...rows.map(fmt), line].join('\n');
}
