/**
 * How often a fence guard stopped Postgres in a trial, by why, read from each node's
 * guard report (`<fence_dir>/report`, lines `<cs> fired <why> …`). `heartbeat-late` means
 * the agent was running but did not renew in time: the guard, not the agent, stepped the
 * primary down. That is not a violation (the guard exists for it) but the agent should
 * have demoted itself, so trials report it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type GuardFirings = Record<string, number>;

export function guardFirings(nodeDirs: readonly string[]): GuardFirings {
  const counts: GuardFirings = {};
  for (const dir of nodeDirs) {
    let text = '';
    try {
      text = readFileSync(join(dir, 'fence', 'report'), 'utf8');
    } catch {
      continue; // no guard ever ran on this node
    }
    for (const line of text.split('\n')) {
      const [, kind, why] = line.split(' ');
      if (kind === 'fired' && why) counts[why] = (counts[why] ?? 0) + 1;
    }
  }
  return counts;
}
