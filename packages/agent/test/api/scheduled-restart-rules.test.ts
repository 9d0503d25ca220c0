/**
 * When a scheduled restart runs (Patroni's evaluate_scheduled_restart): not before its
 * time, within loop_wait of it (the loop is woken at the time), once, dropped when stale
 * (more than 1.5×loop_wait late) or when the postmaster restarted since the request; not
 * while paused, without a leader in the cluster or while another task runs.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryLogger, type Cluster, type HaStatus } from '@pgwarden/core';
import type { RestartRequest, ScheduledRestartRequest } from '../../src/api/index.js';
import { ScheduledRestarts } from '../../src/daemon/scheduled-restart.js';
import { threeNodeCluster } from './cluster-fixture.js';

function setup(loopWait = 10) {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const launched: RestartRequest[] = [];
  let wakes = 0;
  let startedAt: number | null = 1_000;
  let refusal: string | null = null;
  const restarts = new ScheduledRestarts({
    logger,
    clock,
    loopWait: () => loopWait,
    postmasterStartedAt: () => startedAt,
    wake: () => void wakes++,
    launch: (request) => {
      launched.push(request);
      return refusal;
    },
  });
  const cluster: Cluster = threeNodeCluster();
  const status = (o: Partial<HaStatus> = {}): HaStatus => ({
    cycle: 1,
    role: 'replica',
    state: 'running',
    message: 'no action',
    reason: null,
    lockValidUntil: null,
    paused: false,
    failsafeActive: false,
    task: null,
    fatal: null,
    cycleErrors: 0,
    observation: null,
    cluster,
    ...o,
  });
  const at = (inMs: number, extra: Partial<ScheduledRestartRequest> = {}): ScheduledRestartRequest => {
    const scheduleAt = clock.wallNow() + inMs;
    return { scheduleAt, schedule: new Date(scheduleAt).toISOString().replace('Z', '+00:00'), ...extra };
  };
  return {
    clock,
    logger,
    launched,
    restarts,
    status,
    at,
    wakes: () => wakes,
    setStartedAt: (v: number | null) => (startedAt = v),
    refuse: (r: string | null) => (refusal = r),
  };
}

describe('ScheduledRestarts', () => {
  it('keeps one schedule at a time and reports it', () => {
    const t = setup();
    expect(t.restarts.schedule(t.at(60_000, { role: 'replica', postgresVersion: '16.1', restartPending: true, timeout: 30 }))).toBe(true);
    expect(t.restarts.schedule(t.at(120_000))).toBe(false);
    expect(t.restarts.view()).toMatchObject({ role: 'replica', postgresVersion: '16.1', restartPending: true, timeout: 30 });
    expect(t.restarts.memberJson()).toMatchObject({
      role: 'replica',
      postgres_version: '16.1',
      restart_pending: true,
      timeout: 30,
      postmaster_start_time: '1970-01-01 00:00:01+00:00',
    });
    expect(t.wakes()).toBe(1); // the member key shows it at once
    expect(t.restarts.cancel()).toBe(true);
    expect(t.restarts.view()).toBeNull();
    expect(t.restarts.cancel()).toBe(false);
  });

  it('waits while more than loop_wait away, then the loop is woken at the time and the restart runs once', async () => {
    const t = setup(10);
    const request = t.at(25_000);
    t.restarts.schedule(request);
    t.restarts.evaluate(t.status());
    expect(t.launched).toEqual([]);
    expect(t.logger.lines.some((r) => r.message.startsWith('Awaiting restart at'))).toBe(true);
    await t.clock.advance(20_000); // 5 s to go: within loop_wait, armed for the exact time
    t.restarts.evaluate(t.status());
    expect(t.launched).toEqual([]);
    const before = t.wakes();
    await t.clock.advance(5_000);
    expect(t.wakes()).toBe(before + 1);
    t.restarts.evaluate(t.status());
    expect(t.launched).toEqual([request]);
    expect(t.restarts.view()).toBeNull();
    t.restarts.evaluate(t.status());
    expect(t.launched).toHaveLength(1);
  });

  it('a schedule within loop_wait arms the wake-up at once', async () => {
    const t = setup(10);
    t.restarts.schedule(t.at(3_000));
    const before = t.wakes();
    await t.clock.advance(3_000);
    expect(t.wakes()).toBe(before + 1);
  });

  it('does not run while paused, with no leader in the cluster, or while a task runs; it stays scheduled', async () => {
    const t = setup(10);
    t.restarts.schedule(t.at(1_000));
    await t.clock.advance(1_000);
    t.restarts.evaluate(t.status({ paused: true }));
    t.restarts.evaluate(t.status({ cluster: { ...threeNodeCluster(), leader: null } }));
    t.restarts.evaluate(t.status({ task: 'reinitialize' }));
    t.restarts.evaluate(t.status({ state: 'starting' }));
    expect(t.launched).toEqual([]);
    expect(t.restarts.view()).not.toBeNull();
    t.restarts.evaluate(t.status());
    expect(t.launched).toHaveLength(1);
  });

  it('drops a value more than 1.5×loop_wait late without restarting', async () => {
    const t = setup(10);
    t.restarts.schedule(t.at(1_000));
    await t.clock.advance(1_000 + 15_001);
    t.restarts.evaluate(t.status());
    expect(t.launched).toEqual([]);
    expect(t.restarts.view()).toBeNull();
    expect(t.logger.lines.some((r) => r.message.startsWith('Found a stale restart value, cleaning up'))).toBe(true);
  });

  it('runs one up to 1.5×loop_wait late', async () => {
    const t = setup(10);
    t.restarts.schedule(t.at(1_000));
    await t.clock.advance(1_000 + 14_000);
    t.restarts.evaluate(t.status());
    expect(t.launched).toHaveLength(1);
  });

  it('is cancelled when the postmaster restarted after the request', async () => {
    const t = setup(10);
    t.restarts.schedule(t.at(1_000));
    t.setStartedAt(2_000);
    await t.clock.advance(1_000);
    t.restarts.evaluate(t.status());
    expect(t.launched).toEqual([]);
    expect(t.restarts.view()).toBeNull();
    expect(t.logger.lines.some((r) => r.message.startsWith('Cancelling scheduled restart: postgres restart has already happened'))).toBe(true);
  });

  it('is forgotten when its conditions are not met at its time, with a warning', async () => {
    const t = setup(10);
    t.refuse('restart conditions are not satisfied');
    t.restarts.schedule(t.at(1_000, { role: 'primary' }));
    await t.clock.advance(1_000);
    t.restarts.evaluate(t.status());
    expect(t.launched).toHaveLength(1);
    expect(t.restarts.view()).toBeNull();
    expect(t.logger.lines.some((r) => r.message === 'Scheduled restart: restart conditions are not satisfied')).toBe(true);
  });
});
