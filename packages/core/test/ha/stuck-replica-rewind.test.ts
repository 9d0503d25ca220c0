/**
 * A replica left ahead of a newly promoted leader (an async replica that had more WAL than
 * the sync standby that won) is forked: its walreceiver refuses to stream forever. The
 * follower path notices "following the leader, not streaming, another timeline" and arms
 * the divergence check, then rewinds or re-clones (Patroni's _handle_rewind_or_reinitialize).
 * Found by the simulation's replica-follows invariant (seeds 1123, 1132, 2014, 2023).
 */
import { describe, expect, it } from 'vitest';
import type { ViewSpec } from './fixtures.js';
import { makeCluster, member, view } from './fixtures.js';
import { run } from './helpers.js';

const REWIND = { postgresql: { use_pg_rewind: true } };
const FOLLOWING_N2 = { upstream: 'n2', connUrl: 'postgres://n2:5432/postgres', role: 'replica' as const };

/** n1 replays timeline 1 and follows n2, which was promoted to timeline 2. */
function forked(spec: ViewSpec & { leaderData?: Record<string, unknown> } = {}) {
  const { leaderData, ...rest } = spec;
  const cluster = makeCluster({
    members: [member('n1'), member('n2', { role: 'primary', xlog_location: 900, timeline: 2, ...leaderData })],
  });
  return view({
    cluster,
    config: REWIND,
    ...rest,
    obs: { walReceiver: null, timeline: 1, ...rest.obs },
    memory: { following: FOLLOWING_N2, ...rest.memory },
  });
}

describe('a replica following the leader but forked from it', () => {
  const rows: { name: string; view: ReturnType<typeof view>; path: string[]; reason: string; steps: string[] }[] = [
    {
      name: 'not streaming, on another timeline: check, and rewind when needed',
      view: forked(),
      path: ['needed'],
      reason: 'rewind',
      steps: ['checkDivergence', 'remember:rewind', 'rewind:n2'],
    },
    {
      name: 'the check says not needed: keep following and remember it',
      view: forked(),
      path: ['notNeeded'],
      reason: 'follower-following',
      steps: ['checkDivergence', 'remember:rewind', 'follow:n2'],
    },
    {
      name: 'the check cannot tell (leader unreachable): keep following, memory untouched',
      view: forked(),
      path: ['unknown'],
      reason: 'follower-following',
      steps: ['checkDivergence', 'follow:n2'],
    },
    {
      name: 'without pg_rewind but with remove_data_directory_on_diverged_timelines: re-clone',
      view: forked({ config: {}, node: { removeDataDirectoryOnDivergedTimelines: true } }),
      path: ['needed'],
      reason: 'reinitialize',
      steps: ['checkDivergence', 'remember:rewind', 'reinitialize'],
    },
    {
      name: 'the leader has not checkpointed since its promotion: wait, no rewind task',
      view: forked({ leaderData: { checkpoint_after_promote: false } }),
      path: ['needed'],
      reason: 'rewind-waiting-checkpoint',
      steps: ['checkDivergence', 'remember:rewind'],
    },
    {
      name: 'a rewind already needed waits for the checkpoint without checking again',
      view: forked({ leaderData: { checkpoint_after_promote: false }, memory: { rewind: 'need' } }),
      path: [],
      reason: 'rewind-waiting-checkpoint',
      steps: ['remember:rewind'],
    },
    {
      name: 'streaming: nothing to check',
      view: forked({ obs: { walReceiver: { status: 'streaming', slotName: 'n1', conninfo: null, senderHost: 'n2', senderPort: 5432, receivedTimeline: 2 } } }),
      path: [],
      reason: 'follower-following',
      steps: ['follow:n2'],
    },
    {
      name: 'same timeline as the leader: the walreceiver is merely reconnecting',
      view: forked({ obs: { timeline: 2 } }),
      path: [],
      reason: 'follower-following',
      steps: ['follow:n2'],
    },
    {
      name: 'not pointed at the leader yet: follow it first, check later',
      view: forked({ memory: { following: { ...FOLLOWING_N2, upstream: 'n3' } } }),
      path: [],
      reason: 'follower-following',
      steps: ['follow:n2'],
    },
    {
      name: 'a rewind that failed is not retried',
      view: forked({ memory: { rewind: 'failed' } }),
      path: [],
      reason: 'follower-following',
      steps: ['follow:n2'],
    },
    {
      name: 'neither pg_rewind nor re-clone allowed: nothing to check',
      view: forked({ config: {} }),
      path: [],
      reason: 'follower-following',
      steps: ['follow:n2'],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const r = run(row.view, row.path);
      expect(r.leaf.reason).toBe(row.reason);
      expect(r.steps).toEqual(row.steps);
    });
  }

  it('in pause Postgres is never stopped for a rewind', () => {
    const r = run(forked({ config: { ...REWIND, pause: true } }));
    expect(r.steps).not.toContain('checkDivergence');
    expect(r.steps).not.toContain('rewind:n2');
  });
});
