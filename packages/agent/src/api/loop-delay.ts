/**
 * How late the agent's event loop runs, for `/metrics`. Every health check, DCS
 * keepalive and loop cycle shares one thread: a stall of a few tens of milliseconds
 * delays them all, and a load balancer with a 1–2 s check timeout sees it first. The
 * figures cover the last completed window (one minute by default), so a stall stays
 * visible for a whole scrape interval; before the first window ends, the one running.
 *
 * Sampling wakes the process ten times a second, about a fifth of an idle agent's CPU.
 * So it runs only while the REST API is in use: from the start, and again from any
 * request on, until a whole window passes without one. Nobody can read the figures
 * without a request, and a load balancer's checks keep it running.
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

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram;
  private last: LoopDelaySnapshot | null = null;
  private windowStart = performance.now();
  private readonly timer: NodeJS.Timeout;
  /** Sampling (the histogram is enabled). */
  private sampling = true;
  /** A request arrived since the window began. */
  private used = false;

  constructor(
    private readonly windowMs: number = LOOP_DELAY_WINDOW_MS,
    private readonly resolutionMs: number = LOOP_DELAY_RESOLUTION_MS,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.timer = setInterval(() => this.roll(), windowMs);
    this.timer.unref(); // never what keeps a stopping agent alive
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
    if (!this.used) {
      // A whole window without a request: sleep until the next one.
      this.histogram.disable();
      this.sampling = false;
    }
    this.used = false;
  }

  /** Whether the loop is being sampled now. */
  get active(): boolean {
    return this.sampling;
  }

  /**
   * Called for every request: keeps sampling on, or starts it again after a quiet
   * spell with a fresh window. The last sampled window is still shown while it ended
   * less than a window ago; after a longer sleep no figures are shown until samples come.
   */
  touch(): void {
    this.used = true;
    if (this.sampling) return;
    this.sampling = true;
    if (performance.now() - this.windowStart > this.windowMs) this.last = null;
    this.histogram.reset();
    this.histogram.enable();
    this.windowStart = performance.now();
  }

  snapshot(): LoopDelaySnapshot {
    return this.last ?? this.read();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
