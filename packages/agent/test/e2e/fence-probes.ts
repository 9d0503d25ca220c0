/**
 * What the fencing tests read about a node's fence: the guard's report file and PID file
 * (in the agent's default fence directory, `AgentNode.fenceDir`), and the fence's state in
 * `GET /patroni` (docs/fencing.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { patroni } from './api.js';
import type { AgentNode } from './cluster.js';

export interface FenceField {
  readonly armed: boolean;
  readonly deadline: string | null;
  readonly fenced_count: number;
}

/** The fence's WARNING lines in an agent's output (live, or reported by a restarted agent). */
export const FENCE_WARNING = /WARNING: fence: (guard fired|guard stopped Postgres|while no agent was running)[^\n]*/g;

/** The guard's report file: one line per thing it did ("… fired agent-stopped …", "… done fast"). */
export function guardReport(node: AgentNode): string {
  try {
    return readFileSync(join(node.fenceDir, 'report'), 'utf8');
  } catch {
    return '';
  }
}

/** How many times any guard of this node fired (the report file outlives agents and guards). */
export function guardFires(node: AgentNode): number {
  return guardReport(node).match(/ fired /g)?.length ?? 0;
}

export function guardPid(node: AgentNode): number | null {
  try {
    return Number(readFileSync(join(node.fenceDir, 'guard.pid'), 'utf8').trim().split(' ')[0]) || null;
  } catch {
    return null;
  }
}

/** `pgwarden_fence` of GET /patroni, or null when the agent does not answer. */
export async function fenceField(node: AgentNode): Promise<FenceField | null> {
  const s = await patroni(node);
  return (s?.['pgwarden_fence'] as FenceField | undefined) ?? null;
}

/** Alive and not a zombie. */
export function isAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
