/**
 * Dynamic parameters are applied by the engine: decide() emits applyParameters in the
 * cycle that reads a changed `postgresql.parameters`, keeping the live
 * synchronous_standby_names, and never while a task owns Postgres.
 */
import { describe, expect, it } from 'vitest';
import { toPatroniJson, type Action } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { makeCluster, view } from './fixtures.js';
import { run } from './helpers.js';
import { world } from './loop-world.js';

const OLD = toPatroniJson({ work_mem: '4MB' });

describe('decide: dynamic parameters', () => {
  it('a changed postgresql.parameters is applied once, with the live synchronous_standby_names', () => {
    const config = { postgresql: { parameters: { work_mem: '8MB' } } };
    const r = run(view({ cluster: makeCluster({ config }), config, memory: { appliedParameters: OLD }, obs: { synchronousStandbyNames: 'n3' } }));
    const apply = r.actions.find((a): a is Extract<Action, { type: 'applyParameters' }> => a.type === 'applyParameters');
    expect(apply?.parameters).toMatchObject({ work_mem: '8MB' });
    expect(apply?.liveSyncStandbyNames).toBe('n3');
    expect(r.actions).toContainEqual({ type: 'remember', patch: { appliedParameters: toPatroniJson(apply!.parameters) } });
  });

  it('unchanged parameters, an unknown baseline, or a running task: nothing applied', () => {
    const config = { postgresql: { parameters: { work_mem: '8MB' } } };
    const same = toPatroniJson(view({ config }).config.parameters);
    for (const spec of [
      { memory: { appliedParameters: same } },
      { memory: { appliedParameters: null } },
      { memory: { appliedParameters: OLD }, task: { kind: 'restart', name: 'restarting' } as never },
    ]) {
      expect(run(view({ cluster: makeCluster({ config }), config, ...spec })).all).not.toContain('applyParameters');
    }
  });
});

describe('the loop applies a /config change to Postgres in the cycle that reads it', () => {
  it('PATCH-like change of /config → applyParameters on the next cycle, once', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const n1 = w.node('n1', p1);
    await w.step(n1);
    await w.step(n1);
    expect(p1.calls).not.toContain('applyParameters');
    const config = JSON.parse(w.key('config') ?? '{}') as Record<string, unknown>;
    w.server.put(w.layout.key('config'), JSON.stringify({ ...config, postgresql: { parameters: { work_mem: '16MB' } } }));
    await w.step(n1);
    await w.step(n1);
    expect(p1.calls.filter((c) => c === 'applyParameters')).toHaveLength(1);
    expect(p1.appliedParameters[0]).toMatchObject({ work_mem: '16MB' });
    expect(n1.dynamicConfig().parameters).toMatchObject({ work_mem: '16MB' });
  });

  it('subscribers hear of the new config in the same cycle', async () => {
    const w = world();
    const n1 = w.node('n1', new FakePostgres('n1', { role: 'primary', wal: 5000 }));
    const heard: number[] = [];
    n1.onConfigChange((c) => heard.push(c.timing.loopWait));
    await w.step(n1);
    const config = JSON.parse(w.key('config') ?? '{}') as Record<string, unknown>;
    w.server.put(w.layout.key('config'), JSON.stringify({ ...config, loop_wait: 7 }));
    await w.step(n1);
    expect(heard.at(-1)).toBe(7);
  });
});
