/**
 * The new primary's agent frozen at pinned instants of a failover (the first moment the
 * lock is won, `pg_ctl promote`, the first writable instant, the post-promote
 * CHECKPOINT), for ttl + 15 s, after the old primary's host is lost: the engine's lease
 * guard (the world's fence here) must cover the new primary from its first instant, so
 * no two nodes ever accept writes and the cluster ends with one primary.
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import type { FaultSchedule } from '../../sim/faults.js';
import { CLASSIC_MODELS } from '../../sim/models.js';
import { formatFailure, runSimulation } from '../../sim/runner.js';

const TTL_MS = 30_000;
// The classic models: the scenario needs node1 to win the bootstrap (DCS latency makes that a
// race), and a host lost in the middle of a write burst would leave every replica past
// maximum_lag_on_failover, so that (rightly) nobody is promoted and nothing is pinned.
const models = CLASSIC_MODELS;
// node1 bootstraps and leads; its host is lost at 60 s (agent killed, postmaster crashed).
const LOST_HOST: FaultSchedule = [
  { at: 60_000, fault: { kind: 'kill-agent', node: 'node1', forMs: 200_000 } },
  { at: 60_000, fault: { kind: 'crash-postgres', node: 'node1' } },
];

describe('freezes pinned to the instants of a promotion', () => {
  for (const onLine of ['dcs: lock acquired', 'pg: pg_ctl promote', 'pg: promoted', 'pg: CHECKPOINT']) {
    it(`frozen at "${onLine}" for ttl + 15 s: never two writers, the guard acts`, async () => {
      for (const seed of [1, 2, 3]) {
        const r = await runSimulation({
          seed,
          agent: engineAgent(),
          durationMs: 300_000,
          schedule: LOST_HOST,
          models,
          triggers: [{ onLine, forMs: TTL_MS + 15_000, except: ['node1'] }],
        });
        if (!r.ok) expect.fail(formatFailure(r, `seed ${seed}, frozen at ${onLine}`));
        const frozen = r.log.find((l) => l.includes('begin pause-agent'));
        expect(frozen, 'the trigger fired').toBeDefined();
        // Once Postgres can accept writes (every instant but the lock's own), only the guard can stop it.
        if (onLine !== 'dcs: lock acquired') expect(r.stats.fenceKills, r.log.slice(-40).join('\n')).toBeGreaterThanOrEqual(1);
      }
    }, 120_000);
  }

  it('a guard armed late (after the promotion, as the agent once did) is caught at the first writable instant', async () => {
    const r = await runSimulation({
      seed: 1,
      agent: engineAgent({ plant: 'late-guard-arm' }),
      durationMs: 300_000,
      schedule: LOST_HOST,
      models,
      triggers: [{ onLine: 'pg: promoted', forMs: TTL_MS + 15_000, except: ['node1'] }],
    });
    expect(r.violations[0]?.invariant).toBe('two-writers');
  }, 120_000);

  it('the same freezes without a guard: a split brain (the guard is what holds)', async () => {
    const r = await runSimulation({
      seed: 1,
      agent: engineAgent({ fence: false }),
      durationMs: 300_000,
      schedule: LOST_HOST,
      models,
      triggers: [{ onLine: 'pg: promoted', forMs: TTL_MS + 15_000, except: ['node1'] }],
    });
    expect(r.violations[0]?.invariant).toBe('two-writers');
  }, 120_000);
});
