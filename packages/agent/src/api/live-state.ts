/**
 * `/patroni` (and `/metrics`) answer with Postgres queried now, as Patroni's
 * `get_postgresql_status` does on each call: peers read `xlog` during the leader race,
 * and a position `loop_wait` old would mislead it. Health paths never come here.
 *
 * One query at a time: requests that arrive while one is running share its answer, so a
 * burst of monitoring requests opens one connection, not one each. Each request waits
 * at most the budget (2 s); past it the last loop's state answers, since a peer's own
 * request gives up at 2 s too and a human or a scraper is better served by a slightly
 * old document than by none.
 */
import type { Clock, Logger, NodeState } from '@pgwarden/core';
import type { NodeStateSource } from './types.js';

export const LIVE_STATUS_BUDGET_MS = 2000;

export class LiveState {
  private inFlight: Promise<NodeState> | null = null;

  constructor(
    private readonly source: NodeStateSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly budgetMs: number = LIVE_STATUS_BUDGET_MS,
  ) {}

  /** The state with a live monitoring query, or the loop's state when the source has none or the budget runs out. */
  async get(): Promise<NodeState> {
    const live = this.source.live?.bind(this.source);
    if (!live) return this.source.current();
    this.inFlight ??= live().finally(() => {
      this.inFlight = null;
    });
    const query = this.inFlight;
    let timer: { cancel(): void } | null = null;
    const budget = new Promise<null>((resolve) => {
      timer = this.clock.setTimer(this.budgetMs, () => resolve(null));
    });
    try {
      const answer = await Promise.race([query.catch(() => null), budget]);
      if (answer) return answer;
      this.logger.debug(`the live status query took longer than ${this.budgetMs} ms; answering with the last loop's state`);
      return this.source.current();
    } finally {
      (timer as { cancel(): void } | null)?.cancel();
    }
  }
}
