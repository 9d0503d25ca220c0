/**
 * The agent's side of a scheduled restart: the API's request becomes the engine's entry
 * (with the postmaster's start time, which cancels it if Postgres restarts meanwhile),
 * and the entry is shown as `/patroni` and the member key show it. When it runs is the
 * engine's decision (core: test/ha/scheduled-restart-decide.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ScheduledRestartEntry } from '@pgwarden/core';
import { ScheduledRestarts, type ScheduledRestartHolder } from '../../src/daemon/scheduled-restart.js';

function holder(): ScheduledRestartHolder & { entry: ScheduledRestartEntry | null } {
  return {
    entry: null,
    scheduleRestart(e) {
      if (this.entry) return false;
      this.entry = e;
      return true;
    },
    cancelScheduledRestart() {
      const had = this.entry !== null;
      this.entry = null;
      return had;
    },
    scheduledRestart() {
      return this.entry;
    },
  };
}

describe('ScheduledRestarts', () => {
  it('hands the request to the engine with the postmaster start time, and reports it back', () => {
    const node = holder();
    const restarts = new ScheduledRestarts(node, () => 1_000);
    const at = Date.UTC(2026, 0, 1, 10);
    const request = { scheduleAt: at, schedule: '2026-01-01T10:00:00+00:00', role: 'replica' as const, postgresVersion: '16.1', restartPending: true, timeout: 30 };
    expect(restarts.schedule(request)).toBe(true);
    expect(restarts.schedule({ ...request, scheduleAt: at + 1 })).toBe(false);
    expect(node.entry).toEqual({ ...request, postmasterStartedAt: 1_000 });
    expect(restarts.view()).toEqual({ schedule: '2026-01-01T10:00:00+00:00', role: 'replica', postgresVersion: '16.1', restartPending: true, timeout: 30 });
    expect(restarts.memberJson()).toEqual({
      schedule: '2026-01-01T10:00:00+00:00',
      role: 'replica',
      postgres_version: '16.1',
      restart_pending: true,
      timeout: 30,
      postmaster_start_time: '1970-01-01 00:00:01+00:00',
    });
    expect(restarts.cancel()).toBe(true);
    expect(restarts.view()).toBeNull();
    expect(restarts.memberJson()).toBeNull();
    expect(restarts.cancel()).toBe(false);
  });

  it('without a known postmaster start time the member key says null', () => {
    const restarts = new ScheduledRestarts(holder(), () => null);
    restarts.schedule({ scheduleAt: 0, schedule: '1970-01-01T00:00:00+00:00' });
    expect(restarts.memberJson()).toEqual({ schedule: '1970-01-01T00:00:00+00:00', postmaster_start_time: null });
  });
});
