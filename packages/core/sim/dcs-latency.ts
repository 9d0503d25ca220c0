/**
 * How long a DCS request takes on the wire: each call draws, from the node's seeded
 * stream, a round trip of a few milliseconds, and now and then a spike of hundreds of
 * milliseconds up to past retry_timeout (a GC pause on the etcd leader, a congested
 * link). An ordinary call spends its time before the server applies it (the steps of one
 * HA cycle see the DCS at different instants); a spike splits its time at a random point
 * between the way there and the way back, so a call can take effect in the DCS and still
 * time out for the client. (One leg for ordinary calls: the same windows at half the
 * timers, which is most of the simulation's cost.)
 *
 * A spike is a fault like the scheduled ones: the world counts it as active while it lasts
 * (liveness is judged only once every fault has healed), and spikes happen only inside the
 * schedule's fault window: not during the warm-up (bootstrap), and not in the time left
 * for the cluster to settle before the end.
 */
import type { Random } from '../src/time/clock.js';

export interface DcsLatencyOptions {
  /** Round trip of an ordinary call: uniform in [minMs, maxMs]. */
  readonly minMs: number;
  readonly maxMs: number;
  /** Chance that a call is a spike instead. */
  readonly spikeChance: number;
  /** A spike's round trip: log-uniform in [spikeMinMs, spikeMaxMs]. */
  readonly spikeMinMs: number;
  readonly spikeMaxMs: number;
}

/** 1–8 ms; one call in 40 takes 0.1–12 s (retry_timeout is 10 s). */
export const DEFAULT_DCS_LATENCY: DcsLatencyOptions = { minMs: 1, maxMs: 8, spikeChance: 0.025, spikeMinMs: 100, spikeMaxMs: 12_000 };

/** One call's legs, in whole milliseconds: to the server, and back to the client. */
export interface CallLegs {
  readonly requestMs: number;
  readonly responseMs: number;
  readonly spike: boolean;
}

export type LatencyDraw = () => CallLegs;

/** `spikesAllowed`: false once the fault window is over (the draws stay the same, so a replay does not shift). */
export function latencyDraw(random: Random, options: DcsLatencyOptions, spikesAllowed: () => boolean): LatencyDraw {
  return () => {
    const spike = random() < options.spikeChance && spikesAllowed();
    const u = random();
    const rtt = spike
      ? options.spikeMinMs * Math.pow(options.spikeMaxMs / options.spikeMinMs, u)
      : options.minMs + u * (options.maxMs - options.minMs);
    const split = random();
    const requestMs = spike ? Math.round(rtt * split) : Math.round(rtt);
    return { requestMs, responseMs: Math.round(rtt) - requestMs, spike };
  };
}
