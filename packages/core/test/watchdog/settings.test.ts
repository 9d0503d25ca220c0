import { describe, expect, it } from 'vitest';
import { parseWatchdogMode, timingSlack, watchdogStartupProblem, watchdogTimeout } from '../../src/index.js';

describe('watchdog.mode as Patroni reads it (parse_mode)', () => {
  it.each([
    [false, 'off', true],
    ['off', 'off', true],
    ['disable', 'off', true],
    ['Disabled', 'off', true],
    ['automatic', 'automatic', true],
    ['auto', 'automatic', true],
    ['AUTOMATIC', 'automatic', true],
    ['required', 'required', true],
    ['require', 'required', true],
    // Python's str(True) is not a mode word: Patroni turns the watchdog off and warns.
    [true, 'off', false],
    ['sometimes', 'off', false],
  ])('%j → %s', (value, mode, recognized) => {
    expect(parseWatchdogMode(value)).toEqual({ mode, recognized });
  });
});

describe('watchdog timing (spec/ha.md §3.11)', () => {
  it('timeout is ttl − safety_margin, or ttl/2 when safety_margin is −1', () => {
    expect(watchdogTimeout({ safetyMargin: 5 }, 30)).toBe(25);
    expect(watchdogTimeout({ safetyMargin: 0 }, 30)).toBe(30);
    expect(watchdogTimeout({ safetyMargin: -1 }, 30)).toBe(15);
    expect(watchdogTimeout({ safetyMargin: -1 }, 25)).toBe(12);
  });

  it('slack is timeout − loop_wait; negative means the watchdog cannot be used', () => {
    expect(timingSlack({ safetyMargin: 5 }, { ttl: 30, loopWait: 10 })).toBe(15);
    expect(timingSlack({ safetyMargin: -1 }, { ttl: 30, loopWait: 15 })).toBe(0);
    expect(timingSlack({ safetyMargin: 10 }, { ttl: 20, loopWait: 15 })).toBe(-5);
  });
});

describe('watchdogStartupProblem (Patroni exits 1)', () => {
  const settings = { mode: 'required', device: '/dev/watchdog', safetyMargin: 5, driver: 'default' } as const;

  it('required where no watchdog driver exists stops the agent, naming the keys', () => {
    const problem = watchdogStartupProblem(settings, 'darwin');
    expect(problem).toContain('watchdog.mode is required');
    expect(problem).toContain('no watchdog driver on darwin');
    expect(problem).toContain('watchdog.mode: automatic or off');
    expect(watchdogStartupProblem({ ...settings, driver: 'ipmi' }, 'linux')).toContain('watchdog.driver ipmi is unknown');
  });

  it('on Linux a missing device is not a start failure (the node runs but never leads)', () => {
    expect(watchdogStartupProblem({ ...settings, device: '/nonexistent/watchdog' }, 'linux')).toBeNull();
    expect(watchdogStartupProblem({ ...settings, mode: 'automatic' }, 'darwin')).toBeNull();
    expect(watchdogStartupProblem({ ...settings, driver: 'testing' }, 'darwin')).toBeNull();
  });
});
