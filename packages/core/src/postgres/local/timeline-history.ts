/**
 * The timeline history file of the local data directory (`pg_wal/<tli>.history`) as the
 * lines Patroni keeps in `/history`: `[parent timeline, switch LSN in bytes, reason]`.
 * The engine adds the promotion time and the new leader's name to the newest line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryLine } from '../../dcs/cluster.js';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import { parseLsn } from './lsn.js';

export function historyFileName(timeline: number): string {
  return `${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
}

/** `1\t0/3000158\tno recovery target specified` → `[1, 50331992, 'no recovery target specified']`. */
export function parseHistoryLines(content: string): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (const line of content.split('\n')) {
    const [tli, lsnText, ...reason] = line.split('\t');
    if (!tli || !/^\d+$/.test(tli.trim())) continue;
    const lsn = parseLsn((lsnText ?? '').trim());
    if (lsn === null) continue;
    out.push([Number(tli.trim()), lsn, reason.join('\t').trim()]);
  }
  return out;
}

export async function readTimelineHistoryFile(dataDir: string, timeline: number): Promise<PgResult<readonly HistoryLine[]>> {
  if (timeline <= 1) return ok([]);
  const path = join(dataDir, 'pg_wal', historyFileName(timeline));
  try {
    return ok(parseHistoryLines(await readFile(path, 'utf8')));
  } catch (e) {
    return fail('command-failed', `cannot read ${path}: ${(e as Error).message}`, e);
  }
}
