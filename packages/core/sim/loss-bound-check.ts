/**
 * **async-loss-bound**: asynchronous commits a failover loses are bounded by what the
 * engine can know. A replica races only if it is within `maximum_lag_on_failover` of
 * `/status`'s optime, the WAL position the leader last published (once per HA cycle). WAL
 * the old primary wrote after that publication is invisible to the race. So, judged at
 * each failover (a node becomes the writable lock holder on a new timeline), for every
 * old primary O whose acknowledged asynchronous commits the new primary lacks:
 *
 *   lost bytes  ≤  maximum_lag_on_failover  +  unpublished(O)
 *
 * where lost bytes run from where the new primary's history leaves O's to O's last lost
 * acknowledged commit, and unpublished(O) = O's end of WAL when it last accepted writes
 * minus the optime O last published in `/status`. A leader publishes every loop_wait and
 * stops accepting writes within retry_timeout of losing the DCS, so unpublished(O) is at
 * most what O can write in loop_wait + 2·retry_timeout (the fence ends it at its lease).
 * Ground truth throughout: the shared WAL records, what the server stored, the models'
 * acknowledgements. Commits confirmed by a synchronous standby are lost-commit's.
 */
import { decodeStatus } from '../src/dcs/codec/decode.js';
import { maximumLagOnFailover } from './dcs-truth.js';
import type { AckedCommit } from './postgres-model.js';
import { SeenTimelines } from './seen-timelines.js';
import { commitIds, commonPrefixLength, holdsCommit } from './wal.js';
import type { SimNode, World } from './world.js';

export class AsyncLossBound {
  /** The largest loss judged, and its bound, for the run's stats. */
  maxLostBytes = 0;
  /** By node: the optime it last published in /status while it wrote it. */
  private readonly published = new Map<string, number>();
  /** By node: its end of WAL at the last instant it accepted writes. */
  private readonly writableEnd = new Map<string, number>();
  private readonly judged = new Set<string>();
  /** The new primaries (node, timeline) already judged. */
  private readonly failovers = new SeenTimelines();

  constructor(private readonly world: World) {
    for (const n of world.nodes) {
      n.statusWrites.push((value) => this.published.set(n.name, decodeStatus(value).value.lastLsn));
    }
  }

  /** Every step: note where each writable node's WAL ends, then judge a new primary if there is one. */
  step(primaries: readonly SimNode[]): string | null {
    for (const n of this.world.nodes) if (n.pg.isWritable()) this.writableEnd.set(n.name, n.pg.flushLsn);
    for (const p of primaries) {
      if (!this.failovers.first(p.name, p.pg.timeline)) continue;
      const finding = this.judge(p);
      if (finding) return finding;
    }
    return null;
  }

  private judge(primary: SimNode): string | null {
    const present = commitIds(primary.pg.wal);
    const maxLag = maximumLagOnFailover(this.world);
    for (const old of this.world.nodes) {
      const lost: AckedCommit[] = [];
      for (const c of old.pg.acked) {
        if (c.sync || this.judged.has(c.id) || present.has(c.id)) continue;
        this.judged.add(c.id);
        lost.push(c);
      }
      const last = lost.reduce<AckedCommit | null>((a, c) => (a === null || c.lsn > a.lsn ? c : a), null);
      const published = this.published.get(old.name);
      // The old primary's WAL still holds the commit (else an earlier failover already judged that history).
      if (!last || published === undefined || !holdsCommit(old.pg.wal, last)) continue;
      const shared = commonPrefixLength(old.pg.wal, primary.pg.wal);
      const forkLsn = shared > 0 ? old.pg.wal[shared - 1]!.lsn : 0;
      const lostBytes = last.lsn - forkLsn;
      const unpublished = Math.max(0, (this.writableEnd.get(old.name) ?? 0) - published);
      this.maxLostBytes = Math.max(this.maxLostBytes, lostBytes);
      if (lostBytes > maxLag + unpublished) {
        return `${primary.name} took over on timeline ${primary.pg.timeline} from ${forkLsn} and lost ${lost.length} acknowledged commits of ${old.name} up to ${last.lsn}: ${lostBytes} bytes, more than maximum_lag_on_failover ${maxLag} + the ${unpublished} bytes ${old.name} wrote after the optime it last published (${published})`;
      }
    }
    return null;
  }
}
