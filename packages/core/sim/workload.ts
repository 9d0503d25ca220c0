/**
 * The client: every `intervalMs` it commits one row on every node that accepts writes
 * (several at once only in a split brain, which is exactly when lost writes happen), and
 * gives up after `clientTimeoutMs`. What the nodes acknowledged is kept on each model
 * (`PostgresModel.acked`); this keeps the totals.
 */
import type { Clock } from '../src/time/clock.js';
import type { PostgresModel } from './postgres-model.js';

export interface WorkloadOptions {
  readonly intervalMs: number;
  readonly clientTimeoutMs: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { intervalMs: 1000, clientTimeoutMs: 5000 };

export class Workload {
  attempts = 0;
  acknowledged = 0;
  failed = 0;
  private seq = 0;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly models: readonly PostgresModel[],
    private readonly options: WorkloadOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.clock.setTimer(this.options.intervalMs, () => this.tick());
  }

  stop(): void {
    this.running = false;
  }

  private tick(): void {
    if (!this.running) return;
    for (const model of this.models) if (model.isWritable()) void this.commitOn(model);
    this.clock.setTimer(this.options.intervalMs, () => this.tick());
  }

  private async commitOn(model: PostgresModel): Promise<void> {
    const id = `row${++this.seq}`;
    this.attempts++;
    const client = new AbortController();
    const timer = this.clock.setTimer(this.options.clientTimeoutMs, () => client.abort());
    const result = await model.commit(id, client.signal);
    timer.cancel();
    if (result.kind === 'acked') this.acknowledged++;
    else this.failed++;
  }
}
