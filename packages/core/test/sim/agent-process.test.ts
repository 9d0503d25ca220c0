import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/manual-clock.js';
import { AgentProcess } from '../../sim/agent-process.js';

describe('AgentProcess', () => {
  it('holds timers and answers while paused and delivers them on resume', async () => {
    const clock = new ManualClock(0);
    const proc = new AgentProcess(clock);
    const seen: string[] = [];
    proc.clock.setTimer(100, () => seen.push(`timer@${clock.now()}`));
    void proc.wrap(new Promise<string>((r) => clock.setTimer(50, () => r('answer')))).then((v) => seen.push(`${v}@${clock.now()}`));
    proc.pause();
    await clock.advance(1000);
    expect(seen).toEqual([]);
    proc.resume();
    await clock.advance(0);
    // Both arrive at resume time (the answer's .then runs a microtask later than the timer).
    expect([...seen].sort()).toEqual(['answer@1000', 'timer@1000']);
  });

  it('never delivers anything to a killed process and runs its cleanups', async () => {
    const clock = new ManualClock(0);
    const proc = new AgentProcess(clock);
    const seen: string[] = [];
    let cleaned = false;
    proc.onKill(() => (cleaned = true));
    proc.clock.setTimer(10, () => seen.push('timer'));
    void proc.clock.sleep(10).then(() => seen.push('sleep'));
    proc.kill();
    await clock.advance(100);
    expect(seen).toEqual([]);
    expect(cleaned).toBe(true);
  });
});
