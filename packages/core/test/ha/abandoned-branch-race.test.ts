/**
 * Timelines in the leader race. A peer on an abandoned branch (it replayed WAL on an
 * older timeline past our position, so past the point where our history left that
 * timeline) cannot hold back a node on a later timeline; a peer on a later timeline than
 * ours keeps us out, since promoting would take its timeline number again. A peer that
 * only received WAL past our position still counts.
 */
import { describe, expect, it } from 'vitest';
import { makeCluster, member, peer, view } from './fixtures.js';
import { run } from './helpers.js';

// Timeline 1 ended at 5000 (timeline 2 began there); the cluster is on timeline 2.
const unlocked = () =>
  makeCluster({ leader: null, history: [[1, 5000, 'no recovery target specified']], lastLsn: 6000, members: [member('n1'), member('n2'), member('n3')] });
const onTimeline2 = { timeline: 2, walPosition: 6000, receiveLsn: 6000, replayLsn: 6000 };

describe('decide: a peer on an abandoned branch does not block the race', () => {
  it('races when the only peer ahead replayed timeline 1 past its switch point', () => {
    const r = run(view({ cluster: unlocked(), obs: onTimeline2, peers: [peer('n2', { timeline: 1, walPosition: 9000, replayedPosition: 9000 })] }), ['held']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
  });

  it('still stands down for a peer whose WAL past the switch is only received (it may be timeline 2)', () => {
    const r = run(view({ cluster: unlocked(), obs: onTimeline2, peers: [peer('n2', { timeline: 1, walPosition: 9000, replayedPosition: 4000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('still stands down for a peer further ahead on the cluster timeline', () => {
    const r = run(view({ cluster: unlocked(), obs: onTimeline2, peers: [peer('n2', { timeline: 2, walPosition: 9000, replayedPosition: 9000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('still stands down for a peer that did not say where it replayed to', () => {
    const r = run(view({ cluster: unlocked(), obs: onTimeline2, peers: [peer('n2', { timeline: 1, walPosition: 9000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('races when /history has not recorded the later timeline yet (its promoter died before writing it)', () => {
    const cluster = makeCluster({ leader: null, history: [], lastLsn: 6000, members: [member('n1'), member('n2'), member('n3')] });
    const r = run(view({ cluster, obs: onTimeline2, peers: [peer('n2', { timeline: 1, walPosition: 9000, replayedPosition: 9000 })] }), ['held']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
  });

  it('a peer on a later timeline keeps a node out of the race although it has less WAL', () => {
    const cluster = makeCluster({ leader: null, history: [], lastLsn: 6000, members: [member('n1'), member('n2'), member('n3')] });
    const r = run(view({ cluster, obs: { timeline: 1, walPosition: 9000, receiveLsn: 9000, replayLsn: 9000 }, peers: [peer('n2', { timeline: 2, walPosition: 6000, replayedPosition: 6000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
    expect(r.actions).toContainEqual({ type: 'log', level: 'info', message: 'n2 is on timeline 2, ahead of my timeline 1' });
  });

  it('the peer on the abandoned branch itself never races', () => {
    const r = run(view({ cluster: unlocked(), obs: { timeline: 1, walPosition: 9000, receiveLsn: 9000, replayLsn: 9000 }, peers: [peer('n2', { timeline: 2, walPosition: 6000, replayedPosition: 6000 })] }));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
  });
});
