/** The figures a `pnpm bench` run has measured: per metric, timing and agent. */
import type { Timing } from './metrics.js';

export type AgentKind = 'pgwarden' | 'patroni';

export interface Value {
  readonly value: number;
  readonly detail?: string;
  /** The cell's text when the value alone cannot say it (e.g. "none up to 50"). */
  readonly shown?: string;
}

export class Results {
  private readonly byKey = new Map<string, Map<AgentKind, Value>>();

  record(metricId: string, timing: Timing, agent: AgentKind, value: Value): void {
    const key = `${metricId}@${timing.label}`;
    if (!this.byKey.has(key)) this.byKey.set(key, new Map());
    this.byKey.get(key)!.set(agent, value);
  }

  get(metricId: string, timing: Timing): ReadonlyMap<AgentKind, Value> | undefined {
    return this.byKey.get(`${metricId}@${timing.label}`);
  }
}
