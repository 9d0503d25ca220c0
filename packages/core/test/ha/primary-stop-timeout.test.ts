/**
 * primary_stop_timeout (and its old name master_stop_timeout): in synchronous mode it
 * bounds how long a demotion's stop of Postgres may take before the postmaster is killed.
 */
import { describe, expect, it } from 'vitest';
import { fail, ManualClock, silentLogger, validateDynamicConfig, type StopMode, type StopOptions } from '../../src/index.js';
import { stopForDemotion } from '../../src/ha/demote.js';
import { boundedStopMs, primaryStopTimeoutMs } from '../../src/ha/primary-stop-timeout.js';
import { FakePostgres } from './fake-postgres.js';

const settings = (doc: Record<string, unknown>) => validateDynamicConfig(doc).config;

describe('primaryStopTimeoutMs', () => {
  const table: [string, Record<string, unknown>, number | null][] = [
    ['not set', { synchronous_mode: true }, null],
    ['set, synchronous mode', { synchronous_mode: true, primary_stop_timeout: 5 }, 5000],
    ['old name master_stop_timeout', { synchronous_mode: true, master_stop_timeout: 7 }, 7000],
    ['new name wins over the old one', { synchronous_mode: true, master_stop_timeout: 7, primary_stop_timeout: 3 }, 3000],
    ['set, asynchronous', { primary_stop_timeout: 5 }, null],
    ['set, standby cluster', { synchronous_mode: true, primary_stop_timeout: 5, standby_cluster: { host: '10.0.0.9', port: 5432 } }, null],
  ];
  for (const [name, doc, expected] of table) {
    it(name, () => expect(primaryStopTimeoutMs(settings(doc))).toBe(expected));
  }

  it('boundedStopMs keeps the tighter bound', () => {
    const sync5 = settings({ synchronous_mode: true, primary_stop_timeout: 5 });
    expect(boundedStopMs(60_000, sync5)).toBe(5000);
    expect(boundedStopMs(2000, sync5)).toBe(2000);
    expect(boundedStopMs(undefined, sync5)).toBe(5000);
    expect(boundedStopMs(60_000, settings({}))).toBe(60_000);
  });
});

/** The fake controller, remembering each stop's mode and time bound. */
class StopRecorder extends FakePostgres {
  readonly stops: { mode: StopMode; timeoutMs: number | undefined }[] = [];
  /** A fast stop that runs out of time (a shutdown checkpoint on a slow disk). */
  failFast = false;
  override async stop(mode: StopMode, opts: StopOptions = {}) {
    this.stops.push({ mode, timeoutMs: opts.timeoutMs });
    if (mode === 'fast' && this.failFast) return fail('timeout', 'the fast stop did not finish in time');
    return super.stop(mode, opts);
  }
}

describe('stopForDemotion honours primary_stop_timeout', () => {
  const run = async (mode: 'graceful' | 'immediate' | 'offline', primaryStopTimeoutMs: number | null) => {
    const postgres = new StopRecorder('n1', { role: 'primary' });
    const clock = new ManualClock(0);
    // The stop never touches the DCS.
    const deps = { dcs: {} as never, postgres, clock, logger: silentLogger, me: 'n1', retryTimeoutMs: 10_000, syncMode: true, primaryStopTimeoutMs };
    await stopForDemotion(deps, mode, 30_000);
    return postgres.stops;
  };

  it('graceful: bounded by primary_stop_timeout when set, else the controller default', async () => {
    expect(await run('graceful', 4000)).toEqual([{ mode: 'fast', timeoutMs: 4000 }]);
    expect(await run('graceful', null)).toEqual([{ mode: 'fast', timeoutMs: undefined }]);
  });

  it('immediate: the tighter of retry_timeout and primary_stop_timeout', async () => {
    expect(await run('immediate', 4000)).toEqual([{ mode: 'immediate', timeoutMs: 4000 }]);
    expect(await run('immediate', 60_000)).toEqual([{ mode: 'immediate', timeoutMs: 10_000 }]);
    expect(await run('immediate', null)).toEqual([{ mode: 'immediate', timeoutMs: 10_000 }]);
  });

  it('offline: never longer than the lock, retry_timeout or primary_stop_timeout', async () => {
    expect(await run('offline', 4000)).toEqual([{ mode: 'fast', timeoutMs: 4000 }]);
    expect(await run('offline', null)).toEqual([{ mode: 'fast', timeoutMs: 10_000 }]);
  });

  it('offline: the fast stop gives up early enough for the immediate stop to end before the guard acts', async () => {
    // Found by the simulation (strict seed 101584 at 360 s): a slow disk stretched the
    // fast stop's shutdown checkpoint to the lock's end, and the guard stopped Postgres.
    const postgres = new StopRecorder('n1', { role: 'primary' });
    postgres.failFast = true;
    const clock = new ManualClock(0);
    const deps = { dcs: {} as never, postgres, clock, logger: silentLogger, me: 'n1', retryTimeoutMs: 10_000, syncMode: false, primaryStopTimeoutMs: null, guardActsBeforeExpiryMs: 2000 };
    // 10 s of lock left, the guard acts 2 s before its end: 7 s for the fast stop, 1 s for the immediate one.
    await stopForDemotion(deps, 'offline', 10_000);
    expect(postgres.stops).toEqual([
      { mode: 'fast', timeoutMs: 7000 },
      { mode: 'immediate', timeoutMs: 10_000 },
    ]);
    // Less left than the reserve: the fast stop gets nothing and the immediate one runs at once.
    postgres.stops.length = 0;
    await stopForDemotion(deps, 'offline', 2500);
    expect(postgres.stops[0]).toEqual({ mode: 'fast', timeoutMs: 0 });
    expect(postgres.stops[1]?.mode).toBe('immediate');
  });
});
