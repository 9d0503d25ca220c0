/**
 * A node whose pg_rewind failed still holds WAL the leader never had. Started as a
 * replica of the new timeline it would replay that WAL, never stream, and yet look like a
 * healthy read replica. It stays stopped until a new check says it is in line.
 */
import { describe, expect, it } from 'vitest';
import { makeCluster, member, view } from './fixtures.js';
import { run } from './helpers.js';

const REWIND = { postgresql: { use_pg_rewind: true } };

function stoppedAfterFailedRewind(leader: string | null = 'n2') {
  const cluster = makeCluster({
    leader,
    members: [member('n1'), member('n2', { role: 'primary', xlog_location: 900, timeline: 2 })],
  });
  return view({ cluster, config: REWIND, local: 'stopped', memory: { rewind: 'failed' } });
}

describe('after a failed pg_rewind the diverged node is not started', () => {
  it('checks again; still diverged: rewinds again, never starts', () => {
    const r = run(stoppedAfterFailedRewind(), ['needed']);
    expect(r.steps).toEqual(['checkDivergence', 'remember:rewind', 'rewind:n2']);
    expect(r.steps.some((s) => s.startsWith('start:'))).toBe(false);
  });

  it('the check cannot tell: stays stopped', () => {
    const r = run(stoppedAfterFailedRewind(), ['unknown']);
    expect(r.leaf.reason).toBe('rewind-failed-not-starting');
    expect(r.steps).toEqual(['checkDivergence']);
  });

  it('the check finds it in line with the leader: starts as a replica', () => {
    const r = run(stoppedAfterFailedRewind(), ['notNeeded']);
    expect(r.steps).toEqual(['checkDivergence', 'remember:rewind', 'remember:recovering', 'start:replica:n2']);
  });

  it('with no leader to compare with, it starts (the election decides)', () => {
    const r = run(stoppedAfterFailedRewind(null));
    expect(r.steps.some((s) => s.startsWith('start:replica'))).toBe(true);
  });
});
