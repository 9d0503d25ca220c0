/**
 * The young generation may grow only while the REST API is flooded, and is held again
 * once the flood ends; the first flood switches the optimizing compiler on.
 */
import { describe, expect, it } from 'vitest';
import { BUSY_REQUESTS_PER_SECOND, YoungGenerationGovernor } from '../../src/daemon/young-generation.js';
import { HOLD_YOUNG_GENERATION, RELEASE_YOUNG_GENERATION } from '../../src/startup/v8-flags.js';

function governor(enabled = true): { g: YoungGenerationGovernor; flags: string[]; clock: { t: number }; floods: { n: number } } {
  const clock = { t: 0 };
  const flags: string[] = [];
  const floods = { n: 0 };
  return { g: new YoungGenerationGovernor(() => clock.t, (f) => flags.push(f), enabled, () => void floods.n++), flags, clock, floods };
}

describe('YoungGenerationGovernor', () => {
  it('releases growth once the requests of one second reach the busy rate, and only once', () => {
    const { g, flags, clock } = governor();
    for (let i = 0; i < BUSY_REQUESTS_PER_SECOND - 1; i++) g.request();
    expect(flags).toEqual([]);
    g.request();
    expect(flags).toEqual([RELEASE_YOUNG_GENERATION]);
    clock.t = 500;
    for (let i = 0; i < 1000; i++) g.request();
    expect(flags).toEqual([RELEASE_YOUNG_GENERATION]);
    expect(g.busy).toBe(true);
  });

  it('does not count requests spread over seconds as a flood', () => {
    const { g, flags, clock } = governor();
    for (let s = 0; s < 20; s++) {
      clock.t = s * 1000;
      for (let i = 0; i < BUSY_REQUESTS_PER_SECOND / 2; i++) g.request();
    }
    expect(flags).toEqual([]);
  });

  it('holds growth again at the end of a cycle whose request rate fell back', () => {
    const { g, flags, clock } = governor();
    for (let i = 0; i < BUSY_REQUESTS_PER_SECOND; i++) g.request();
    clock.t = 1000;
    g.cycleEnd(); // the flood was within this cycle: still busy
    expect(flags).toEqual([RELEASE_YOUNG_GENERATION]);
    clock.t = 11_000;
    for (let i = 0; i < 30; i++) g.request(); // 3 a second: a load balancer
    g.cycleEnd();
    expect(flags).toEqual([RELEASE_YOUNG_GENERATION, HOLD_YOUNG_GENERATION]);
    expect(g.busy).toBe(false);
  });

  it('never touches the young generation when the user sized it, but still reports the flood', () => {
    const { g, flags, floods } = governor(false);
    for (let i = 0; i < 10 * BUSY_REQUESTS_PER_SECOND; i++) g.request();
    g.cycleEnd();
    expect(flags).toEqual([]);
    expect(floods.n).toBe(1);
  });

  it('reports each flood once, at its start', () => {
    const { g, clock, floods } = governor();
    for (let i = 0; i < 3 * BUSY_REQUESTS_PER_SECOND; i++) g.request();
    expect(floods.n).toBe(1);
    clock.t = 10_000;
    g.cycleEnd();
    clock.t = 20_000;
    for (let i = 0; i < BUSY_REQUESTS_PER_SECOND; i++) g.request();
    expect(floods.n).toBe(2);
  });
});
