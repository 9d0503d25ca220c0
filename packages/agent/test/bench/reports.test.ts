import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../bench/fast-profile.js';
import { fleetReport, type FleetResult, type FleetStep } from '../../bench/fleet-run.js';
import { soakReport, spuriousCount, type SoakResult } from '../../bench/soak-run.js';

const step = (clusters: number, p99Ms: number): FleetStep => ({
  clusters,
  etcdRps: clusters * 1.1,
  p50Ms: 3,
  p99Ms,
  maxMs: p99Ms * 2,
  unavailable: 0,
  unsettled: 0,
  eventLoopP99Ms: 12,
  load: 1.5,
});

const fleet = (over: Partial<FleetResult>): FleetResult => ({
  finishedAt: new Date('2026-12-07T18:00:00Z'),
  cpus: 2,
  profile: DEFAULT_PROFILE,
  walRate: 65536,
  windowS: 20,
  topStep: 50,
  limitMs: 2500,
  steps: [step(10, 20), step(25, 40), step(50, 60)],
  crossedAt: null,
  stoppedBy: null,
  cycleErrors: 0,
  ...over,
});

describe('the fleet curve', () => {
  it('has one row per step with requests per cluster and p99, and says the limit was not reached', () => {
    const text = fleetReport(fleet({}));
    expect(text).toMatch(/\| 25 +\| 27\.5 +\| 1\.100 +\| 3\.0 ms +\| 40\.0 ms +\|/);
    expect(text).toContain('p99 stayed under 2500 ms up to 50 clusters; engine cycle errors: 0');
  });

  it('names the N at which p99 passed retry_timeout/4', () => {
    expect(fleetReport(fleet({ steps: [step(10, 20), step(25, 2600)], crossedAt: 25 }))).toContain('p99 passed 2500 ms at 25 clusters');
  });
});

const soak = (over: Partial<SoakResult>): SoakResult => ({
  finishedAt: new Date('2026-12-07T18:00:00Z'),
  minutes: 3,
  cpus: 2,
  stress: true,
  proxy: { connections: 6, chunks: 4000, spikes: 2, maxDelayMs: 700 },
  grantedTtl: 8,
  loads: [3.1, 4.2, 5.3],
  leaderChanges: 0,
  leaderlessPolls: 0,
  longestLeaderlessMs: 0,
  fenceFires: 0,
  fenceWarnings: 0,
  agentExits: 0,
  overruns: 4,
  acks: 9000,
  longestGapS: 0.4,
  events: [],
  leaderKeys: { before: { leader: 'node1', role: 'primary', optime: 100 }, after: { leader: 'node1', role: 'primary', optime: 900 } },
  logTails: '',
  ...over,
});

describe('the soak summary', () => {
  it('prints every count and OK when nothing spurious was seen', () => {
    const r = soak({});
    const text = soakReport(r);
    expect(spuriousCount(r)).toBe(0);
    expect(text).toContain('leader changes (spurious failovers): 0');
    expect(text).toContain('fence guard fired:                   0 (agent fence warnings 0)');
    expect(text).toContain('HA cycles over loop_wait:            4');
    expect(text).toContain('load average (1 min), sampled each minute: mean 4.20, max 5.30');
    expect(text).toContain('2 spikes of 200-900 ms, largest delay 700 ms');
    expect(text).toContain("leader's own keys:                   current (node1's member key says primary; /status optime 100 → 900)");
    expect(text.trimEnd().endsWith("OK: no spurious failover, lost lock or fence action; the leader's keys are current")).toBe(true);
  });

  it('counts a leader change or a fence warning as spurious, lists the events and says FAILED', () => {
    const r = soak({ leaderChanges: 1, fenceWarnings: 1, events: [{ atS: 42, what: 'leader changed: node1 → node2' }], logTails: '--- node1 ---' });
    expect(spuriousCount(r)).toBe(2);
    const text = soakReport(r);
    expect(text).toContain('  +42s leader changed: node1 → node2');
    expect(text).toContain('--- node1 ---');
    expect(text).toContain('FAILED: see the events above');
  });

  it('fails a leader that keeps its lock but whose member key or /status stopped moving', () => {
    const replicaRole = soak({ leaderKeys: { before: { leader: 'node1', role: 'replica', optime: 100 }, after: { leader: 'node1', role: 'replica', optime: 100 } } });
    expect(spuriousCount(replicaRole)).toBe(1);
    expect(soakReport(replicaRole)).toContain("STALE (node1's member key says replica; /status optime 100 → 100)");
    expect(soakReport(replicaRole)).toContain('FAILED');
    const stuckStatus = soak({ leaderKeys: { before: { leader: 'node1', role: 'primary', optime: 100 }, after: { leader: 'node1', role: 'primary', optime: 100 } } });
    expect(spuriousCount(stuckStatus)).toBe(1);
  });
});
