/**
 * Which running task a lost lock cancels (§1.2; Patroni's handle_long_action_in_progress):
 * a start in flight ('restart', 'starting primary after failure') is cancelled before the
 * immediate-nolock demotion, since the postmaster it launches could come up writable. A
 * single-user crash recovery accepts no connections: it is left to finish, and the node
 * remembers to check for divergence and start as a replica afterwards. Other tasks of a
 * former primary that run with Postgres down (pg_rewind) are left alone as well.
 */
import { describe, expect, it } from 'vitest';
import type { Action, HaView } from '../../src/index.js';
import { ledByMe, view } from './fixtures.js';
import { run } from './helpers.js';

const REWIND = { postgresql: { use_pg_rewind: true } };

function rememberedRewind(actions: readonly Action[]): unknown {
  const remember = actions.find((a): a is Extract<Action, { type: 'remember' }> => a.type === 'remember' && 'rewind' in a.patch);
  return remember?.patch.rewind;
}

describe('lost lock while a task runs', () => {
  const rows: { task: NonNullable<HaView['task']>; local: 'primary' | 'crashed-primary'; message: string; steps: string[] }[] = [
    {
      task: { kind: 'restart', name: 'restart', startedAt: 0 },
      local: 'primary',
      message: 'lost leader lock during restart',
      steps: ['refreshLeader', 'cancelTask', 'remember:rewind', 'demote:immediate-nolock'],
    },
    {
      task: { kind: 'start', name: 'starting primary after failure', startedAt: 0 },
      local: 'crashed-primary',
      message: 'lost leader lock during starting primary after failure',
      steps: ['refreshLeader', 'cancelTask', 'remember:rewind', 'demote:immediate-nolock'],
    },
    {
      task: { kind: 'crash-recovery', name: 'doing crash recovery in a single user mode', startedAt: 0 },
      local: 'crashed-primary',
      message: 'lost leader lock during doing crash recovery in a single user mode',
      steps: ['refreshLeader', 'remember:rewind'],
    },
  ];
  for (const row of rows) {
    it(`${row.task.kind}: ${row.steps.includes('cancelTask') ? 'cancelled, then demoted' : 'left to finish'}`, () => {
      const r = run(view({ cluster: ledByMe(), local: row.local, task: row.task, config: REWIND, memory: { crashRecoveryStartedAt: 0 } }), ['lost']);
      expect(r.leaf.message).toBe(row.message);
      expect(r.steps).toEqual(row.steps);
      expect(rememberedRewind(r.actions)).toBe('check');
    });
  }

  it("a former primary's pg_rewind (Postgres down) is not cancelled by someone else's lock", () => {
    // Regression (simulation seed 428, 360 s): the rewind was cancelled and Postgres restarted forked.
    const task = { kind: 'rewind' as const, name: 'running pg_rewind from n2', startedAt: 0 };
    const r = run(view({ local: 'crashed-primary', task, config: REWIND, memory: { rewind: 'need' } }));
    expect(r.leaf.message).toBe('running pg_rewind from n2 in progress');
    expect(r.steps).toEqual([]);
  });

  it('a crash recovery without the lock in the first place is left to finish too', () => {
    const task = { kind: 'crash-recovery' as const, name: 'doing crash recovery in a single user mode', startedAt: 0 };
    const r = run(view({ local: 'crashed-primary', task, config: REWIND }));
    expect(r.steps).not.toContain('cancelTask');
    expect(r.steps.some((s) => s.startsWith('demote'))).toBe(false);
  });
});
