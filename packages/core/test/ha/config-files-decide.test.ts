/**
 * `/config`'s pg_hba, pg_ident and recovery_conf are applied by the engine, as its
 * parameters are: decide() hands them to the controller (applyParameters, `files`) in the
 * cycle that reads a change, once, never while a task owns Postgres. The first cycle
 * hands them over when /config sets any (Patroni rewrites pg_hba when it joins a running
 * Postgres). Which of patroni.yml and /config wins is the controller's (its own tests).
 */
import { describe, expect, it } from 'vitest';
import { toPatroniJson, type Action, type ApplyParametersOptions, type HaMemory } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { makeCluster, view } from './fixtures.js';
import { run } from './helpers.js';
import { world } from './loop-world.js';

type Apply = Extract<Action, { type: 'applyParameters' }>;

const PARAMETERS = { work_mem: '8MB' };
const HBA = ['local all all trust', 'host all app 0.0.0.0/0 reject', 'host all all 0.0.0.0/0 md5'];
const NONE = toPatroniJson({ pgHba: null, pgIdent: null, recoveryConf: null });

function decideWith(postgresql: Record<string, unknown>, memory: Partial<HaMemory>, extra: Record<string, unknown> = {}) {
  const config = { postgresql: { parameters: PARAMETERS, ...postgresql } };
  const applied = toPatroniJson(view({ config }).config.parameters);
  return run(view({ cluster: makeCluster({ config }), config, memory: { appliedParameters: applied, ...memory }, ...extra }));
}

const applyOf = (actions: readonly Action[]): Apply | undefined => actions.find((a): a is Apply => a.type === 'applyParameters');

describe('decide: dynamic pg_hba, pg_ident and recovery_conf', () => {
  it('a changed pg_hba is handed over with the parameters in force, and remembered', () => {
    const r = decideWith({ pg_hba: HBA }, { appliedConfigFiles: NONE });
    const apply = applyOf(r.actions);
    expect(apply?.files).toEqual({ pgHba: HBA, pgIdent: null, recoveryConf: null });
    expect(apply?.parameters).toMatchObject(PARAMETERS);
    // Only what changed is remembered: the parameters were already applied.
    expect(r.actions).toContainEqual({ type: 'remember', patch: { appliedConfigFiles: toPatroniJson(apply!.files) } });
  });

  it('pg_ident and recovery_conf changes are handed over too', () => {
    const was = toPatroniJson({ pgHba: HBA, pgIdent: null, recoveryConf: null });
    const ident = applyOf(decideWith({ pg_hba: HBA, pg_ident: ['map1 os1 app'] }, { appliedConfigFiles: was }).actions);
    expect(ident?.files.pgIdent).toEqual(['map1 os1 app']);
    const recovery = applyOf(decideWith({ pg_hba: HBA, recovery_conf: { restore_command: 'cp /a/%f %p' } }, { appliedConfigFiles: was }).actions);
    expect(recovery?.files.recoveryConf).toEqual({ restore_command: 'cp /a/%f %p' });
  });

  it('first cycle: handed over when /config sets any of them, nothing when it sets none', () => {
    expect(applyOf(decideWith({ pg_hba: HBA }, { appliedConfigFiles: null }).actions)?.files.pgHba).toEqual(HBA);
    expect(decideWith({}, { appliedConfigFiles: null }).all).not.toContain('applyParameters');
  });

  it('removed from /config: handed over as null (the controller then leaves the file as it is)', () => {
    const was = toPatroniJson({ pgHba: HBA, pgIdent: null, recoveryConf: null });
    expect(applyOf(decideWith({}, { appliedConfigFiles: was }).actions)?.files).toEqual({ pgHba: null, pgIdent: null, recoveryConf: null });
  });

  it('unchanged, a running task, no data directory, or an unknown baseline: nothing applied', () => {
    const same = toPatroniJson({ pgHba: HBA, pgIdent: null, recoveryConf: null });
    expect(decideWith({ pg_hba: HBA }, { appliedConfigFiles: same }).all).not.toContain('applyParameters');
    expect(decideWith({ pg_hba: HBA }, { appliedConfigFiles: NONE }, { task: { kind: 'restart', name: 'restarting', startedAt: 0 } }).all).not.toContain('applyParameters');
    expect(decideWith({ pg_hba: HBA }, { appliedConfigFiles: NONE }, { local: 'empty' }).all).not.toContain('applyParameters');
    expect(decideWith({ pg_hba: HBA }, { appliedConfigFiles: NONE, appliedParameters: null }).all).not.toContain('applyParameters');
  });

  it('a parameters change carries the files as they are, and remembers only the parameters', () => {
    const same = toPatroniJson({ pgHba: HBA, pgIdent: null, recoveryConf: null });
    const r = decideWith({ pg_hba: HBA }, { appliedConfigFiles: same, appliedParameters: toPatroniJson({ work_mem: '4MB' }) });
    expect(applyOf(r.actions)?.files.pgHba).toEqual(HBA);
    expect(r.actions).toContainEqual({ type: 'remember', patch: { appliedParameters: toPatroniJson(applyOf(r.actions)!.parameters) } });
  });
});

describe('the loop hands a /config pg_hba change to Postgres in the cycle that reads it', () => {
  it('PATCH-like change of pg_hba → applyParameters with the new pg_hba, once', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const given: (ApplyParametersOptions | undefined)[] = [];
    const original = p1.applyParameters.bind(p1);
    p1.applyParameters = (parameters, opts?: ApplyParametersOptions) => {
      given.push(opts);
      return original(parameters);
    };
    const n1 = w.node('n1', p1);
    await w.step(n1);
    await w.step(n1);
    expect(p1.calls).not.toContain('applyParameters');
    const config = JSON.parse(w.key('config') ?? '{}') as Record<string, unknown>;
    w.server.put(w.layout.key('config'), JSON.stringify({ ...config, postgresql: { pg_hba: HBA } }));
    await w.step(n1);
    await w.step(n1);
    await w.step(n1);
    expect(p1.calls.filter((c) => c === 'applyParameters')).toHaveLength(1);
    expect(given[0]?.files).toEqual({ pgHba: HBA, pgIdent: null, recoveryConf: null });
  });
});
