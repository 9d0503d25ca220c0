/**
 * The physical models a run uses beyond the fault schedule: time on the wire for DCS
 * calls, each standby's replication bandwidth, and bursts of large writes. All are drawn
 * from the seed. `DEFAULT_MODELS` is what runs and the CLI use; `CLASSIC_MODELS` turns
 * them all off (instant DCS answers, unlimited bandwidth, one small row a second), the
 * simulation as it was before they existed.
 */
import { DEFAULT_DCS_LATENCY, type DcsLatencyOptions } from './dcs-latency.js';
import { DEFAULT_BURSTS, type BurstOptions } from './workload.js';

export interface ReplicationBandwidth {
  /** Each standby's link, drawn per node from the seed: log-uniform in [min, max] bytes per ms (= kB/s). */
  readonly minBytesPerMs: number;
  readonly maxBytesPerMs: number;
}

export interface SimModels {
  readonly dcsLatency: DcsLatencyOptions | false;
  readonly bandwidth: ReplicationBandwidth | false;
  readonly bursts: BurstOptions | false;
}

/** 1–8 MB/s: a burst of a few MB leaves a standby one to several seconds behind. */
export const DEFAULT_BANDWIDTH: ReplicationBandwidth = { minBytesPerMs: 1_000, maxBytesPerMs: 8_000 };

export const DEFAULT_MODELS: SimModels = { dcsLatency: DEFAULT_DCS_LATENCY, bandwidth: DEFAULT_BANDWIDTH, bursts: DEFAULT_BURSTS };

export const CLASSIC_MODELS: SimModels = { dcsLatency: false, bandwidth: false, bursts: false };

/** One node's link rate in bytes per ms (log-uniform, so slow links are as common as fast ones). */
export function drawBandwidth(random: () => number, b: ReplicationBandwidth): number {
  return Math.round(b.minBytesPerMs * Math.pow(b.maxBytesPerMs / b.minBytesPerMs, random()));
}
