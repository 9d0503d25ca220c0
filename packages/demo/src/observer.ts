/**
 * The demo's own view of the cluster: a read-only DCS client, as patronictl has. It
 * polls the snapshot a few times a second, prints a line when the leader or a member's
 * role/state changes, and remembers who led when for the summary.
 */
import { Dcs, readDynamicConfig, type Cluster } from '@pgwarden/core';
import { BOOTSTRAP_DCS } from './cluster-config.js';
import type { DcsChoice } from './dcs-choice.js';
import { say } from './progress.js';
import { memberRows } from './table.js';
import { FileLogger } from './file-logger.js';

export interface Reign {
  readonly leader: string | null;
  readonly from: number;
}

export class ClusterObserver {
  readonly reigns: Reign[] = [];
  private last: Cluster | null = null;
  private shape = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  private constructor(
    private readonly dcs: Dcs,
    private readonly t0: number,
  ) {}

  static async open(choice: DcsChoice, logPath: string, t0: number): Promise<ClusterObserver> {
    const timing = readDynamicConfig(BOOTSTRAP_DCS).timing;
    const logger = new FileLogger(logPath);
    const adapter = await choice.connect('demo-observer', timing, logger, { readOnly: true });
    return new ClusterObserver(new Dcs({ adapter, timing, logger }), t0);
  }

  /** The latest snapshot (polled), or null before the first one. */
  get cluster(): Cluster | null {
    return this.last;
  }

  async refresh(): Promise<Cluster | null> {
    const r = await this.dcs.loadCluster();
    if (r.kind !== 'loaded') return this.last;
    this.last = r.cluster;
    this.noteChanges(r.cluster);
    return r.cluster;
  }

  start(): void {
    const tick = (): void => {
      this.polling = this.refresh().then(
        () => undefined,
        () => undefined,
      );
      void this.polling.then(() => {
        if (this.timer) this.timer = setTimeout(tick, 250);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
    await this.dcs.close().catch(() => undefined);
  }

  private stamp(): string {
    return `[${((Date.now() - this.t0) / 1000).toFixed(1).padStart(5)}s]`;
  }

  private noteChanges(cluster: Cluster): void {
    const leader = cluster.leader?.name ?? null;
    const current = this.reigns[this.reigns.length - 1];
    if (!current || current.leader !== leader) {
      this.reigns.push({ leader, from: Date.now() });
      say(`  ${this.stamp()} leader lock: ${leader ?? '(nobody)'}`);
    }
    const seen = new Set<string>();
    for (const row of memberRows(cluster)) {
      seen.add(row.member);
      const text = `${row.role.toLowerCase()}, ${row.state}${row.tl ? `, TL ${row.tl}` : ''}`;
      if (this.shape.get(row.member) !== text) {
        this.shape.set(row.member, text);
        say(`  ${this.stamp()} ${row.member}: ${text}`);
      }
    }
    for (const name of [...this.shape.keys()]) {
      if (!seen.has(name)) {
        this.shape.delete(name);
        say(`  ${this.stamp()} ${name}: member key expired`);
      }
    }
  }
}
