/**
 * `patronictl list` / `topology` output (Patroni's output_members): the member table
 * with the title ` Cluster: <scope> (<sysid>) `, the optional columns added when asked
 * (`-e`) or when any member has a value, Host as host:port when needed, and the
 * maintenance / scheduled switchover footer for the human formats.
 */
import type { Cluster } from '@pgwarden/core';
import { clusterAsJson, type ClusterView, type MemberView } from './cluster-json.js';
import { LSN_ALIGN, LSN_COLUMNS, lsnCells, shownColumns } from './lsn-columns.js';
import { formatOutput, type Format } from './output.js';

/** `leader` first, each replica under its replicatefrom parent when that is a replica. */
export function topologySort(members: readonly MemberView[]): MemberView[] {
  const leader = members.find((m) => m.role.endsWith('leader'));
  const replicas = new Set(members.filter((m) => !m.role.endsWith('leader')).map((m) => m.name));
  const children = new Map<string | undefined, MemberView[]>();
  for (const m of members) {
    if (m.role.endsWith('leader')) continue;
    const from = m.tags?.replicatefrom;
    const parent = typeof from === 'string' && from && from !== m.name && replicas.has(from) ? from : leader?.name;
    children.set(parent, [...(children.get(parent) ?? []), m]);
  }
  const out: MemberView[] = [];
  const visit = (level: number, m: MemberView | undefined, key: string | undefined): void => {
    if (m) out.push(level > 0 ? { ...m, name: `${' '.repeat((level - 1) * 2)}+ ${m.name}` } : m);
    for (const child of children.get(key) ?? []) visit(level + 1, child, child.name);
  };
  visit(0, leader, leader?.name);
  return out;
}

export function serviceInfo(view: ClusterView): string[] {
  const info: string[] = [];
  if (view.pause) info.push('Maintenance mode: on');
  if (view.scheduled_switchover) {
    let line = `Switchover scheduled at: ${view.scheduled_switchover.at}`;
    for (const k of ['from', 'to'] as const) {
      const v = view.scheduled_switchover[k];
      if (v) line += `\n${k.padStart(24)}: ${v}`;
    }
    info.push(line);
  }
  return info;
}

function titleCase(role: string): string {
  return role
    .replace(/_/g, ' ')
    .split(' ')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w))
    .join(' ');
}

export function formatMembers(cluster: Cluster, name: string, options: { extended?: boolean; format?: Format } = {}): string {
  const fmt = options.format ?? 'pretty';
  const view = clusterAsJson(cluster);
  const initialize = cluster.initialize === null ? 'uninitialized' : cluster.initialize === '' ? 'initializing' : cluster.initialize;
  const columns = ['Cluster', 'Member', 'Host', 'Role', 'State', 'TL', ...LSN_COLUMNS];
  const all = view.members.filter((m) => m.host !== undefined);
  const has: Record<string, (m: MemberView) => boolean> = {
    'Pending restart': (m) => Boolean(m.pending_restart),
    'Pending restart reason': (m) => Boolean(m.pending_restart_reason && Object.keys(m.pending_restart_reason).length),
    'Scheduled restart': (m) => Boolean(m.scheduled_restart && Object.keys(m.scheduled_restart).length),
    Tags: (m) => Boolean(m.tags && Object.keys(m.tags).length),
  };
  for (const [c, test] of Object.entries(has)) if (options.extended || all.some(test)) columns.push(c);
  const appendPort = all.some((m) => m.port !== undefined && m.port !== 5432) || new Set(all.map((m) => m.host)).size < all.length;
  const ordered = fmt === 'topology' ? topologySort(view.members) : view.members;
  const rows = ordered.map((m) => {
    const reason = Object.entries(m.pending_restart_reason ?? {})
      .map(([k, v]) => {
        const r = (v ?? {}) as { old_value?: unknown; new_value?: unknown };
        const full = `${k}: ${String(r.old_value)}->${String(r.new_value)}`;
        return fmt === 'pretty' || fmt === 'topology' ? (full.length <= 50 ? full : `${k}: [hidden - too long]`) : full;
      })
      .join('\n');
    let host = m.host ?? '';
    if (appendPort && host && m.port) host = `${host}:${m.port}`;
    let scheduled: string | undefined;
    if (m.scheduled_restart) {
      scheduled = String(m.scheduled_restart.schedule ?? '');
      if (m.scheduled_restart.postgres_version !== undefined) scheduled += ` if version < ${String(m.scheduled_restart.postgres_version)}`;
    }
    const cell: Record<string, unknown> = {
      Cluster: name,
      Member: m.name,
      Host: host,
      Role: titleCase(m.role),
      State: m.state,
      TL: m.timeline ?? '',
      ...lsnCells(m),
      'Pending restart': m.pending_restart ? '*' : '',
      'Pending restart reason': reason,
      'Scheduled restart': scheduled ?? '',
      Tags: m.tags ?? '',
    };
    return columns.map((c) => cell[c]);
  });
  const human = fmt === 'pretty' || fmt === 'topology';
  const out = [formatOutput(shownColumns(columns, human), rows, { align: { ...LSN_ALIGN, TL: 'r' }, format: fmt, title: ` Cluster: ${name} (${initialize}) ` })];
  if (fmt === 'pretty' || fmt === 'topology') {
    const info = serviceInfo(view);
    if (info.length) out.push(' ' + info.join('\n '));
  }
  return out.join('\n');
}
