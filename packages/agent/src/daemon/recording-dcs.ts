/**
 * The Dcs as the loop uses it, remembering its last snapshot and when the DCS last
 * answered (`dcs_last_seen`), and telling the daemon about each snapshot (dynamic
 * config changes). `freshCluster()` is the REST API's read: it does not count as a loop.
 */
import { Dcs, systemClock, type Cluster, type LoadOutcome, type MemberData, type WriteOutcome } from '@pgwarden/core';

export class RecordingDcs extends Dcs {
  lastCluster: Cluster | null = null;
  /** Epoch seconds of the last successful read. */
  lastSeen = 0;
  /** Monotonic ms when the loop last started a cycle (its first call is the read). */
  lastCycleAt = 0;
  onSnapshot: ((cluster: Cluster) => Promise<void>) | null = null;
  /** Keys the agent adds to the member key the loop writes (`scheduled_restart`, as Patroni's touch_member does). */
  memberExtras: (() => Readonly<Record<string, unknown>>) | null = null;

  override touchMember(data: MemberData): Promise<WriteOutcome> {
    const extras = this.memberExtras?.();
    return super.touchMember(extras && Object.keys(extras).length ? ({ ...data, ...extras } as MemberData) : data);
  }

  override async loadCluster(options: { linearizable?: boolean } = {}): Promise<LoadOutcome> {
    this.lastCycleAt = systemClock.now();
    const r = await super.loadCluster(options);
    if (r.kind === 'loaded') {
      this.lastCluster = r.cluster;
      this.lastSeen = Math.trunc(Date.now() / 1000);
      await this.onSnapshot?.(r.cluster);
    }
    return r;
  }

  /** A read for the REST API; throws when the DCS does not answer (the API then closes the socket). */
  async freshCluster(): Promise<Cluster> {
    const r = await super.loadCluster({ linearizable: true });
    if (r.kind !== 'loaded') throw new Error(`DCS is not accessible: ${r.cause.message}`);
    this.lastSeen = Math.trunc(Date.now() / 1000);
    return r.cluster;
  }
}
