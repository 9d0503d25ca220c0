/**
 * The client: every `intervalMs` it commits one small row on every node that accepts
 * writes (several at once only in a split brain, which is exactly when lost writes
 * happen), and gives up after `clientTimeoutMs`. With `bursts`, it also writes bursts of
 * large transactions at random moments (drawn from the seed), which is what builds real
 * replication lag on a bandwidth-limited standby. What the nodes acknowledged is kept on
 * each model (`PostgresModel.acked`); this keeps the totals.
 */
import type { Clock, Random } from '../src/time/clock.js';
import { GiveUp } from './give-up.js';
import type { PostgresModel } from './postgres-model.js';
import { randomInt } from './random.js';

export interface BurstOptions {
  /** Mean time between the starts of two bursts (exponentially distributed). */
  readonly meanGapMs: number;
  /** Transactions per burst, uniform in [minCommits, maxCommits]. */
  readonly minCommits: number;
  readonly maxCommits: number;
  /** WAL per transaction, uniform in [minBytes, maxBytes]. */
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Between two transactions of a burst. */
  readonly spacingMs: number;
  /** No burst before this (the cluster bootstraps first, as faults wait for the warm-up). */
  readonly firstAfterMs: number;
}

export interface WorkloadOptions {
  readonly intervalMs: number;
  readonly clientTimeoutMs: number;
  readonly bursts?: BurstOptions;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { intervalMs: 1000, clientTimeoutMs: 5000 };

/** Every 12 s on average, 2–6 transactions of 256 kB–4 MB each, 100 ms apart (≈ 9 MB a burst). */
export const DEFAULT_BURSTS: BurstOptions = { meanGapMs: 12_000, minCommits: 2, maxCommits: 6, minBytes: 262_144, maxBytes: 4_194_304, spacingMs: 100, firstAfterMs: 20_000 };

export class Workload {
  attempts = 0;
  acknowledged = 0;
  failed = 0;
  /** WAL bytes of the burst transactions acknowledged. */
  burstBytesAcked = 0;
  private seq = 0;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly models: readonly PostgresModel[],
    private readonly options: WorkloadOptions,
    /** Draws the bursts (only used with `options.bursts`). */
    private readonly random?: Random,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.clock.setTimer(this.options.intervalMs, () => this.tick());
    const bursts = this.options.bursts;
    if (bursts && this.random) this.scheduleBurst(bursts, this.random, bursts.firstAfterMs);
  }

  stop(): void {
    this.running = false;
  }

  private tick(): void {
    if (!this.running) return;
    for (const model of this.models) if (model.isWritable()) void this.commitOn(model);
    this.clock.setTimer(this.options.intervalMs, () => this.tick());
  }

  private scheduleBurst(b: BurstOptions, random: Random, after = 0): void {
    const gap = after + Math.max(1, Math.round(-Math.log(1 - random()) * b.meanGapMs));
    this.clock.setTimer(gap, () => {
      if (!this.running) return;
      const sizes = Array.from({ length: randomInt(random, b.minCommits, b.maxCommits) }, () => randomInt(random, b.minBytes, b.maxBytes));
      sizes.forEach((bytes, i) =>
        this.clock.setTimer(i * b.spacingMs, () => {
          if (!this.running) return;
          for (const model of this.models) if (model.isWritable()) void this.commitOn(model, bytes);
        }),
      );
      this.scheduleBurst(b, random);
    });
  }

  private async commitOn(model: PostgresModel, bytes?: number): Promise<void> {
    const id = `row${++this.seq}`;
    this.attempts++;
    const client = new GiveUp();
    const timer = this.clock.setTimer(this.options.clientTimeoutMs, () => client.abort());
    const result = await model.commit(id, client, bytes);
    timer.cancel();
    if (result.kind === 'acked') {
      this.acknowledged++;
      if (bytes !== undefined) this.burstBytesAcked += bytes;
    } else this.failed++;
  }
}
