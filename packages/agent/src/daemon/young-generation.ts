/**
 * Lets V8 grow its young generation only while the REST API is busy.
 *
 * The start-up setting (startup/v8-flags.ts) holds the young generation at its initial
 * 1 MB semi-space, which is all an idle agent needs. Under thousands of checks a second
 * a nursery that small is collected several times a second, which costs about 15 % more
 * CPU per check and a longer latency tail. So from BUSY_REQUESTS_PER_SECOND on, V8 may
 * grow it again (its own default factor); at the end of the first HA cycle that sees the
 * rate fall back, growth is held again. V8 itself shrinks a grown young generation at a
 * later collection once little is being allocated. The first flood also switches V8's
 * optimizing compiler on, for good (startup/idle-heap.ts holds it off while idle).
 */
import { setFlagsFromString } from 'node:v8';
import { releaseOptimizer } from '../startup/idle-heap.js';
import { HOLD_YOUNG_GENERATION, RELEASE_YOUNG_GENERATION, youngGenerationTuned } from '../startup/v8-flags.js';

/** Far above any load balancer's checks (a few a second per balancer), far below a flood. */
export const BUSY_REQUESTS_PER_SECOND = 200;

export class YoungGenerationGovernor {
  private growing = false;
  private second = -1;
  private inSecond = 0;
  private sinceCycle = 0;
  private cycleStart: number;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly setFlags: (flags: string) => void = setFlagsFromString,
    /** Off when the user sized the young generation (NODE_OPTIONS or the command line): theirs stands. */
    private readonly enabled: boolean = !youngGenerationTuned(process.execArgv, process.env['NODE_OPTIONS'] ?? ''),
    /** Called at the start of every flood (the optimizing compiler's release). */
    private readonly onBusy: () => void = () => void releaseOptimizer(),
  ) {
    this.cycleStart = now();
  }

  /** Called for every REST request. */
  request(): void {
    this.sinceCycle++;
    if (this.growing) return;
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.inSecond = 0;
    }
    if (++this.inSecond >= BUSY_REQUESTS_PER_SECOND) {
      this.growing = true;
      if (this.enabled) this.setFlags(RELEASE_YOUNG_GENERATION);
      this.onBusy();
    }
  }

  /** Called at the end of each HA cycle: holds growth again once the rate has fallen back. */
  cycleEnd(): void {
    const t = this.now();
    const seconds = Math.max((t - this.cycleStart) / 1000, 0.001);
    const rate = this.sinceCycle / seconds;
    this.cycleStart = t;
    this.sinceCycle = 0;
    if (this.growing && rate < BUSY_REQUESTS_PER_SECOND) {
      this.growing = false;
      if (this.enabled) this.setFlags(HOLD_YOUNG_GENERATION);
    }
  }

  get busy(): boolean {
    return this.growing;
  }
}
