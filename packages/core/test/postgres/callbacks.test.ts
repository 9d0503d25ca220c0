/**
 * Callbacks and hook scripts on real PostgreSQL 15 (spec §3.8): `<cmd> <action> <role>
 * <scope>` with Patroni 4's role word, one main callback at a time (a new one kills the
 * running one's whole tree), on_reload in its own slot, pre_promote vetoing, before_stop
 * running before the stop signal and bounded by the stop deadline, and no agent secrets
 * in the scripts' environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, waitFor, type Node } from './helpers.js';
import { alive, ScriptDir } from './scripts.js';

const ENV_NAMES = `$(env | grep -E '^(PATRONI|PGWARDEN)_' | cut -d= -f1 | sort | tr '\\n' ,)`;
// Secrets the agent may hold in its environment: they must not reach user scripts.
const SECRET_ENV = { PATRONI_SUPERUSER_PASSWORD: 'leak-1', PGWARDEN_RESTAPI_PASSWORD: 'leak-2', PATRONI_ETCD3_URL: 'http://u:leak-3@h' };

describe('LocalPostgresController: callbacks, pre_promote and before_stop', () => {
  let sandbox: PostgresSandbox;
  let s: ScriptDir;
  let node: Node;

  /** Log lines of one kind (`begin`, `end`, `child`, `pre_promote`, `before_stop`). */
  const events = (kind: string): string[][] => s.lines().filter((l) => l[1] === kind);
  const begun = (action: string): string[] | undefined => events('begin').find((l) => l[3] === action);

  beforeAll(async () => {
    Object.assign(process.env, SECRET_ENV, { PATRONI_NAME: 'not-a-secret' });
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-cb-' });
    s = new ScriptDir(sandbox, 'scripts');
    const cb = s.script(
      'cb.sh',
      `echo "$(date +%s%N) begin $$ $1 $2 $3 $# $(id -un) env=${ENV_NAMES}" >> "$LOG"
if [ -f "$DIR/slow-$1" ]; then sleep 30 & echo "$(date +%s%N) child $$ $!" >> "$LOG"; wait; fi
echo "$(date +%s%N) end $$ $1" >> "$LOG"`,
    );
    const dataDir = sandbox.dataDirPath('data-cb');
    node = await makeNode(sandbox, 'cb', {}, {
      data_dir: dataDir,
      callbacks: { on_start: cb, on_stop: cb, on_restart: cb, on_reload: cb, on_role_change: cb },
      pre_promote: s.script('pre.sh', `echo "$(date +%s%N) pre_promote $$ $# env=${ENV_NAMES}" >> "$LOG"\n[ -f "$DIR/allow-promote" ]`),
      before_stop: s.script(
        'before.sh',
        `if [ -f '${dataDir}/postmaster.pid' ]; then pm=running; else pm=gone; fi
echo "$(date +%s%N) before_stop $$ $pm" >> "$LOG"
if [ -f "$DIR/slow-before" ]; then sleep 30 & echo "$(date +%s%N) child $$ $!" >> "$LOG"; wait; fi`,
      ),
    });
  });

  afterAll(async () => {
    for (const k of Object.keys(SECRET_ENV)) delete process.env[k];
    await node?.controller.stop('immediate', { timeoutMs: 10_000, checkpoint: false });
    await node?.controller.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('fires none during bootstrap, then on_stop with <action> <role> <scope>, as the Postgres user, without secrets', async () => {
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    expect(await node.controller.stop('fast')).toEqual({ ok: true });
    const line = await waitFor('on_stop to run', async () => events('end').find((l) => l[3] === 'on_stop'));
    expect(line).toBeDefined();
    // Only on_stop ran: bootstrap's start fired nothing.
    expect(events('begin').map((l) => l[3])).toEqual(['on_stop']);
    const [, , , action, role, scope, argc, user, env] = begun('on_stop')!;
    expect([action, role, scope, argc]).toEqual(['on_stop', 'primary', 'walk', '3']);
    expect(user).toBe(sandbox.runAs ? 'postgres' : process.env['USER'] ?? user);
    expect(env).toBe('env=PATRONI_NAME,');
    // before_stop ran before the stop signal: the postmaster was still there.
    expect(events('before_stop').map((l) => l[3])).toEqual(['running']);
  });

  it('kills a running callback and its children when the next one fires; on_reload has its own slot', async () => {
    s.flag('slow-on_start');
    expect(await node.controller.start({ role: 'primary' })).toEqual({ ok: true });
    const child = await waitFor('slow on_start to spawn its child', async () => events('child')[0]);
    const [scriptPid, sleepPid] = [Number(child[2]), Number(child[3])];
    expect(begun('on_start')?.slice(3, 6)).toEqual(['on_start', 'primary', 'walk']);

    // on_reload does not touch the running on_start.
    expect(await node.controller.reload()).toEqual({ ok: true });
    await waitFor('on_reload to finish', async () => events('end').find((l) => l[3] === 'on_reload'));
    expect(alive(scriptPid) && alive(sleepPid)).toBe(true);

    // on_restart replaces it: script and its sleep are killed, on_start never ends.
    expect(await node.controller.restart()).toEqual({ ok: true });
    await waitFor('on_restart to finish', async () => events('end').find((l) => l[3] === 'on_restart'));
    await waitFor('the old callback tree to die', async () => !alive(scriptPid) && !alive(sleepPid), 5000);
    expect(events('end').find((l) => l[3] === 'on_start')).toBeUndefined();
    expect(begun('on_restart')?.slice(3, 6)).toEqual(['on_restart', 'primary', 'walk']);
  });

  it('lets pre_promote veto a promotion, then promotes and fires on_role_change primary', async () => {
    // A standby with no upstream: read-only until promoted.
    expect(await node.controller.stop('fast')).toEqual({ ok: true });
    expect(await node.controller.start({ role: 'replica' })).toEqual({ ok: true });
    const vetoed = await node.controller.promote();
    expect(vetoed).toMatchObject({ ok: false, code: 'vetoed' });
    const obs = await node.controller.observe();
    expect(obs.ok && obs.value.inRecovery).toBe(true);
    const [, , , argc, env] = events('pre_promote')[0]!;
    expect(argc).toBe('0');
    expect(env).toBe('env=PATRONI_NAME,');

    s.flag('allow-promote');
    expect(await node.controller.promote()).toEqual({ ok: true });
    expect(events('pre_promote')).toHaveLength(2);
    const change = await waitFor('on_role_change', async () => begun('on_role_change'));
    expect(change.slice(3, 6)).toEqual(['on_role_change', 'primary', 'walk']);
  });

  it('bounds a hanging before_stop by the stop deadline and still stops', async () => {
    s.flag('slow-before');
    const children = events('child').length;
    const t0 = Date.now();
    expect(await node.controller.stop('fast', { timeoutMs: 3000 })).toEqual({ ok: true });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(events('before_stop').at(-1)?.[3]).toBe('running');
    const sleeper = Number(events('child')[children]?.[3]);
    expect(alive(sleeper)).toBe(false);
    expect(await node.controller.isRunning()).toBe(false);
  });
});
