/**
 * How late the agent's event loop runs, for `/metrics`. Every health check, DCS
 * keepalive and loop cycle shares one thread: a stall of a few tens of milliseconds
 * delays them all, and a load balancer with a 1–2 s check timeout sees it first. The
 * figures cover the last completed window (one minute by default), so a stall stays
 * visible for a whole scrape interval; before the first window ends, the one running.
 *
 * Only a timer that fires often sees a stall whenever it happens: the histogram wakes
 * the process ten times a second, as much CPU as the rest of an idle agent. Cheaper
 * measures miss what the metric is for: a request cannot see how long its bytes waited
 * in the kernel (the stall delays its accept and its read alike), and a loop cycle's
 * timer is late only when a stall covers its due time, once per `loop_wait`. So the
 * monitor samples only while someone reads the figures: from the first `GET /metrics`
 * on, until `idleWindows` windows in a row (five minutes by default, longer than any
 * scrape interval) end without one. Health checks do not keep it on; an agent nobody
 * scrapes is never woken by it. The first scrape after a sleep starts a fresh window.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelaySnapshot {
  /** Seconds; NaN when nothing was sampled yet. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Length of the window the figures cover, in seconds. */
  readonly windowSeconds: number;
}

export const LOOP_DELAY_WINDOW_MS = 60_000;
/**
 * Sampling period of the histogram. Each sample wakes the idle agent (measured here:
 * +0.06 % CPU at 100 ms, +0.3 % at 20 ms), so it is coarse: a stall of S ms shows as
 * between S − 100 and S, and the stalls that make checks time out (hundreds of ms) are
 * all seen.
 */
export const LOOP_DELAY_RESOLUTION_MS = 100;
/** Windows in a row that end without a read of the figures before sampling stops. */
export const LOOP_DELAY_IDLE_WINDOWS = 5;

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram;
  private last: LoopDelaySnapshot | null = null;
  private windowStart = performance.now();
  private timer: NodeJS.Timeout | undefined;
  /** Sampling (the histogram is enabled). */
  private sampling = false;
  /** Windows ended since the figures were last read. */
  private unread = 0;

  constructor(
    private readonly windowMs: number = LOOP_DELAY_WINDOW_MS,
    private readonly resolutionMs: number = LOOP_DELAY_RESOLUTION_MS,
    private readonly idleWindows: number = LOOP_DELAY_IDLE_WINDOWS,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  }

  private read(): LoopDelaySnapshot {
    const h = this.histogram;
    // Node records the whole interval between samples; the delay is what exceeds the period.
    const s = (ns: number): number => (h.count > 0 ? Math.max(0, ns / 1e6 - this.resolutionMs) / 1000 : Number.NaN);
    return { p50: s(h.percentile(50)), p99: s(h.percentile(99)), max: s(h.max), windowSeconds: (performance.now() - this.windowStart) / 1000 };
  }

  private roll(): void {
    if (!this.sampling) return;
    this.last = this.read();
    this.histogram.reset();
    this.windowStart = performance.now();
    this.unread += 1;
    if (this.unread >= this.idleWindows) {
      // Nobody has read the figures for a while: sleep until someone does.
      this.histogram.disable();
      clearInterval(this.timer);
      this.sampling = false;
    }
  }

  /** Whether the loop is being sampled now. */
  get active(): boolean {
    return this.sampling;
  }

  /**
   * The figures, for a reader (`GET /metrics`): keeps sampling on, or starts it again
   * with a fresh window. The last sampled window is still shown while it ended less
   * than a window ago; otherwise NaN until samples come.
   */
  scrape(): LoopDelaySnapshot {
    this.unread = 0;
    if (!this.sampling) {
      this.sampling = true;
      if (performance.now() - this.windowStart > this.windowMs) this.last = null;
      this.histogram.reset();
      this.histogram.enable();
      this.windowStart = performance.now();
      // Windows are counted from here, so the first one is whole.
      this.timer = setInterval(() => this.roll(), this.windowMs);
      this.timer.unref(); // never what keeps a stopping agent alive
    }
    return this.last ?? this.read();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
