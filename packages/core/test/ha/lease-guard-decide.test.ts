/**
 * Where decide() puts the lease guard: armed after every outcome that gives us the lock
 * (and before a promotion), never in pause, and settled at the end of every path.
 */
import { describe, expect, it } from 'vitest';
import { leaseGuardSettlement, walk, decide, branches, gateOf, type Decision } from '../../src/index.js';
import { ledByMe, makeCluster, member, peer, view } from './fixtures.js';
import { run } from './helpers.js';

const unlocked = () => makeCluster({ leader: null, members: [member('n1', { xlog_location: 1000 }), member('n2', { xlog_location: 1000 })] });
const healthy = [peer('n2', { walPosition: 900 })];

/** Every leaf of the tree, with the branch names that lead to it. */
function leaves(d: Decision, path: string[] = []): { path: string[]; leaf: Decision }[] {
  const gate = gateOf(d);
  if (!gate) return [{ path, leaf: d }];
  return Object.entries(branches(gate)).flatMap(([name, next]) => leaves(next, [...path, name]));
}

describe('decide: the lease guard', () => {
  const rows: { name: string; spec: Parameters<typeof view>[0]; path: string[]; armBefore: string | null }[] = [
    { name: 'race won by a replica: armed before promote', spec: { cluster: unlocked(), peers: healthy }, path: ['held'], armBefore: 'promote' },
    { name: 'lock renewed by the primary', spec: { cluster: ledByMe(), local: 'primary' }, path: ['held'], armBefore: 'touchMember' },
    {
      name: 'lock holder still a replica (promotion in the lock-owner path): armed before promote',
      spec: { cluster: ledByMe(), local: 'replica' },
      path: ['held'],
      armBefore: 'promote',
    },
    { name: 'renewal during a task', spec: { cluster: ledByMe(), local: 'primary', task: { kind: 'restart', name: 'restarting' } as never }, path: ['held'], armBefore: 'touchMember' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const r = run(view(row.spec), row.path);
      const arm = r.all.indexOf('armLeaseGuard');
      expect(arm).toBeGreaterThan(0);
      // Right after the gate that gave us the lock: nothing writable can happen between.
      expect(r.all[arm - 1]).toMatch(/^(acquireLeader|refreshLeader)$/);
      if (row.armBefore) expect(arm).toBeLessThan(r.all.indexOf(row.armBefore));
      expect(r.all[r.all.length - 1]).toBe('settleLeaseGuard');
    });
  }

  it('failsafe: armed only once every member accepted', () => {
    const spec = { cluster: ledByMe({ failsafe: { n1: 'a', n2: 'b' } }), local: 'primary' as const, config: { failsafe_mode: true } };
    expect(run(view(spec), ['unavailable', 'accepted']).all).toContain('armLeaseGuard');
    expect(run(view(spec), ['unavailable', 'rejected']).all).not.toContain('armLeaseGuard');
  });

  it('lost or unavailable lock: never armed', () => {
    for (const path of [['lost'], ['unavailable']]) {
      expect(run(view({ cluster: ledByMe(), local: 'primary' }), path).all).not.toContain('armLeaseGuard');
    }
  });

  it('paused: never armed, and the settle says paused', () => {
    const d = decide(view({ cluster: ledByMe({ config: { pause: true } }), local: 'primary', config: { pause: true } }));
    for (const { leaf } of leaves(d)) {
      expect(leaf.actions.some((a) => a.type === 'armLeaseGuard')).toBe(false);
    }
    const { actions } = walk(d, ['held']);
    expect(actions.at(-1)).toEqual({ type: 'settleLeaseGuard', paused: true });
  });

  it('every leaf of every situation ends by settling the guard', () => {
    const specs = [
      { cluster: unlocked(), peers: healthy },
      { cluster: ledByMe(), local: 'primary' as const },
      { cluster: makeCluster(), local: 'replica' as const },
      { cluster: 'unavailable' as const, local: 'primary' as const },
      { cluster: makeCluster(), local: 'stopped' as const },
    ];
    for (const spec of specs) {
      for (const { path, leaf } of leaves(decide(view(spec)))) {
        const last = leaf.actions.at(-1);
        expect(last?.type, `${JSON.stringify(spec.cluster === 'unavailable' ? 'unavailable' : spec.local)} ${path.join('/')}`).toBe('settleLeaseGuard');
      }
    }
  });
});

describe('leaseGuardSettlement', () => {
  it.each([
    // paused, holdsLock, mayAcceptWrites → verdict
    [true, true, true, 'disarm'],
    [true, false, false, 'disarm'],
    [false, true, true, 'keep'],
    [false, true, false, 'keep'],
    // Lost the lock while Postgres may still accept writes: the window the guard exists for.
    [false, false, true, 'keep'],
    [false, false, false, 'disarm'],
  ] as const)('paused %s, lock %s, writable %s → %s', (paused, holdsLock, mayAcceptWrites, verdict) => {
    expect(leaseGuardSettlement({ paused, holdsLock, mayAcceptWrites })).toBe(verdict);
  });
});
