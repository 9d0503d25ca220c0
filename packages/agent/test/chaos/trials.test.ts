/**
 * Two short chaos trials end to end through the runner's API, on real processes: three
 * agents in their own network namespaces, a three-member etcd, PostgreSQL 15. The seeds
 * are chosen for their schedule: the primary cut off entirely (async), and the primary
 * cut from etcd past the TTL while its agent's wall clock jumps back 70 minutes for
 * 10 s (synchronous_mode on: two faults at once). Each forces a failover; the checker
 * must find nothing.
 * Needs root, iproute2 and nftables (the runner names the package when one is missing).
 */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTrial } from '../../chaos/trial.js';

// The last run's trial logs stay here for post-mortems.
const outDir = '/tmp/pgwarden-chaos-test-last';
rmSync(outDir, { recursive: true, force: true });
// A subnet and namespace prefix of its own, so a `pnpm chaos` run beside it is not disturbed.
const NET_ID = 78;

describe('chaos runner on a real cluster', () => {
  it.each([
    { mode: 'async' as const, seed: 60, faults: ['partition-both'] },
    { mode: 'on' as const, seed: 47208, faults: ['partition-from-etcd', 'clock-jump'] },
  ])('$mode, seed $seed: $faults of the primary, then a clean verdict', async ({ mode, seed, faults }) => {
    const r = await runTrial({ seed, mode, trialSeconds: 30, quietSeconds: 8, outDir, netId: NET_ID });
    expect(r.faults).toEqual(Object.fromEntries(faults.map((f) => [f, 1])));
    expect(r.verdict.acks).toBeGreaterThan(50);
    expect(r.verdict.violations).toEqual([]);
    // The fault outlasts the leader key's TTL: another node was promoted, on a new timeline.
    expect(r.verdict.timelines.length).toBeGreaterThanOrEqual(2);
    const log = readFileSync(r.logPath!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(log.map((l) => l.type)).toEqual(expect.arrayContaining(['trial', 'planned', 'ready', 'ack', 'fault', 'healed', 'outcome']));
  }, 150_000);
});
