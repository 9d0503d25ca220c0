/**
 * Host-loss rounds on one fresh three-node cluster of one agent kind at one profile, and
 * their medians: what `pnpm bench fast` prints per profile and `pnpm bench --only fast`
 * puts in the main table.
 */
import { E2eCluster } from '../test/e2e/cluster.js';
import { tails } from '../test/e2e/wait.js';
import { FAST_FENCE_MARGIN_S, FAST_PROFILE, applyNodeOverrides } from './fast-profile.js';
import { hostLossRound, type HostLossRound } from './fast-profile-rounds.js';
import { query, waitHealthy } from './health.js';
import type { Timing } from './metrics.js';
import { CREATE_WRITE_TABLE } from './writer.js';

export type RoundsAgent = 'pgwarden' | 'patroni';

/** The fast profile's promise: a lost primary host is replaced within 8 s (median). */
export const FAST_TARGET_S = 8;

export interface RoundsOptions {
  readonly rounds: number;
  readonly patroniBin: string;
  /** Prints a progress line (one per round). */
  readonly log: (line: string) => void;
}

export async function measureHostLossRounds(agent: RoundsAgent, timing: Timing, opts: RoundsOptions): Promise<HostLossRound[]> {
  const cluster = await E2eCluster.create({
    label: `fast-${agent}-${timing.label.replaceAll('/', '-')}`,
    nodes: 3,
    timing,
    ...(agent === 'patroni' && { agentCommand: [opts.patroniBin] }),
  });
  const rounds: HostLossRound[] = [];
  try {
    // Patroni ignores the pgwarden: section; for it the profile is the three timings alone.
    if (timing === FAST_PROFILE) applyNodeOverrides(cluster, { fenceMarginS: FAST_FENCE_MARGIN_S });
    for (const n of cluster.nodes) cluster.start(n);
    let primary = await waitHealthy(cluster, 180_000);
    await query(primary, CREATE_WRITE_TABLE);
    for (let i = 1; i <= opts.rounds; i++) {
      const r = await hostLossRound(cluster, primary, timing);
      rounds.push(r.round);
      primary = r.primary;
      opts.log(`${agent} ${timing.label} round ${i}/${opts.rounds}: writable ${r.round.writableS.toFixed(2)} s after the kill (lease expired at ${r.round.expiryS.toFixed(2)} s), ${r.round.newPrimary} took over`);
    }
  } catch (e) {
    throw new Error(`${agent} at ${timing.label}: ${(e as Error).message}\n${tails(cluster, 15)}`);
  } finally {
    await cluster.close();
  }
  return rounds;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface RoundsSummary {
  /** Kill → writable: median, fastest and slowest round (s). */
  readonly writableS: number;
  readonly minS: number;
  readonly maxS: number;
  /** Kill → lease expiry, median (s). */
  readonly expiryS: number;
  /** Lease expiry → writable, median (s). */
  readonly takeoverS: number;
}

export function summarizeRounds(rounds: readonly HostLossRound[]): RoundsSummary {
  const w = rounds.map((r) => r.writableS);
  return {
    writableS: median(w),
    minS: Math.min(...w),
    maxS: Math.max(...w),
    expiryS: median(rounds.map((r) => r.expiryS)),
    takeoverS: median(rounds.map((r) => r.writableS - r.expiryS)),
  };
}
