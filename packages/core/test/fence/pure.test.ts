import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fenceTimingProblem, readFenceSettings, systemClock } from '../../src/index.js';
import { bootTimeCs, monotonicToBootCs, parseUptimeCs } from '../../src/fence/boot-clock.js';
import { encodeState } from '../../src/fence/guard-process.js';
import { markSeen, parseReportLine, unseenStop } from '../../src/fence/report.js';

describe('fence: clock pairing, protocol and settings', () => {
  it('reads /proc/uptime as centiseconds, exactly as guard.sh computes it', () => {
    expect(parseUptimeCs('1234.05 99.00\n')).toBe(123405);
    expect(parseUptimeCs('7.90 1.00\n')).toBe(790);
    expect(() => parseUptimeCs('garbage')).toThrow();
  });

  it('converts a monotonic deadline to BOOTTIME within the 10 ms resolution of /proc/uptime', () => {
    for (let i = 0; i < 200; i++) {
      const v = systemClock.now() + 5000;
      const d = monotonicToBootCs(v, () => systemClock.now()) * 10;
      // Bracket the true offset BOOTTIME − MONOTONIC: /proc/uptime is truncated to 10 ms.
      const ma = systemClock.now();
      const u = parseUptimeCs(readFileSync('/proc/uptime', 'utf8')) * 10;
      const mb = systemClock.now();
      const offLow = u - mb;
      const offHigh = u + 10 - ma;
      expect(d).toBeLessThanOrEqual(v + offHigh);
      expect(d).toBeGreaterThanOrEqual(v + offLow - 20);
    }
    expect(bootTimeCs()).toBeGreaterThan(0);
  });

  it('encodes the state lines guard.sh reads, and parses its report lines', () => {
    const agent = { pid: 10, ticks: 20 };
    expect(encodeState({ kind: 'armed', deadlineCs: 12345, pm: { pid: 7, ticks: 8 }, agent })).toBe('armed 12345 7 8 10 20\n');
    expect(encodeState({ kind: 'disarmed', agent })).toBe('disarmed 10 20\n');
    expect(encodeState({ kind: 'exit' })).toBe('exit\n');
    expect(parseReportLine('500 fired agent-stopped deadline=499 pm=7')).toMatchObject({ kind: 'fired', atCs: 500, why: 'agent-stopped' });
    expect(parseReportLine('510 done fast')).toEqual({ kind: 'done', atCs: 510, mode: 'fast' });
    expect(parseReportLine('sh: 1: oops')).toEqual({ kind: 'other', line: 'sh: 1: oops' });
  });

  it('reads pgwarden.fence settings: on by default, `off` turns it off', () => {
    expect(readFenceSettings(undefined)).toEqual({ enabled: true, marginMs: 5000, stateDir: null });
    expect(readFenceSettings({ fence: 'off' }).enabled).toBe(false);
    expect(readFenceSettings({ fence: false, fence_margin: '3', fence_dir: '/run/pgwarden' })).toEqual({ enabled: false, marginMs: 3000, stateDir: '/run/pgwarden' });
  });

  it('flags a margin that would fence a healthy primary (ttl − margin ≤ loop_wait)', () => {
    expect(fenceTimingProblem(30, 10, 5000)).toBeNull();
    expect(fenceTimingProblem(20, 10, 5000)).toBeNull();
    expect(fenceTimingProblem(20, 15, 5000)).toMatch(/no slack/);
  });

  it('flags timing that leaves the leader no time for its other writes after a renewal', () => {
    // Patroni's defaults, the bench's 20/1/3 and the fast profile keep time after the renewal.
    expect(fenceTimingProblem(30, 10, 5000, 10)).toBeNull();
    expect(fenceTimingProblem(20, 1, 5000, 3)).toBeNull();
    expect(fenceTimingProblem(8, 1, 2000, 2)).toBeNull();
    // ttl 7 with margin 2 and retry_timeout 2: 7 - 2 - 2 x 2 - 1 = 0 s left for the member key.
    expect(fenceTimingProblem(7, 1, 2000, 2)).toMatch(/no time for its member key.*raise ttl/);
    expect(fenceTimingProblem(7, 1, 1000, 2)).toBeNull();
  });

  it('finds a stop no agent saw (the agent was dead), once: a seen mark or a new guard clears it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgwarden-report-'));
    try {
      const path = join(dir, 'report');
      expect(unseenStop(path)).toBeNull();
      writeFileSync(path, '100 started pid=7\n200 fired agent-gone deadline=190 pm=9\n201 signal INT\n202 done fast\n');
      expect(unseenStop(path)).toEqual({ why: 'agent-gone', mode: 'fast' });
      markSeen(path, 300);
      expect(unseenStop(path)).toBeNull();
      writeFileSync(path, '200 fired agent-stopped deadline=190 pm=9\n201 signal INT\n250 started pid=8\n');
      expect(unseenStop(path)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
