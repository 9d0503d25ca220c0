/**
 * Patroni waits 2 s after a leader key is released (by a demoting primary, or before a
 * node that lost a switchover race looks again) to give the chosen node time to take it.
 * Taking it usually needs a few milliseconds, and the DCS watch says when it happened:
 * this wait ends at that moment, and lasts the full time only when no new leader shows
 * up (a DCS without a watch, or nobody taking the key).
 */
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { Clock } from '../time/clock.js';

export interface LeaderTakenWait {
  /** Resolves once a new leader holds the key (since `watchLeaderTaken` was called), or after `ms`. */
  wait(ms: number): Promise<void>;
}

/**
 * Starts listening at once, so a key taken between the release and `wait` still counts.
 * A write of the leader key counts only when a read then names someone other than
 * `former` (this node, the one stepping down): a late event of the old leader's
 * last refresh must not end the wait before anyone took over.
 */
export function watchLeaderTaken(dcs: Pick<Dcs, 'onChange' | 'loadCluster'>, clock: Clock, former: readonly string[]): LeaderTakenWait {
  let taken = false;
  let done = false;
  let notify: (() => void) | null = null;
  let reading = false;
  let again = false;
  const check = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const loaded = await dcs.loadCluster();
        const leader = loaded.kind === 'loaded' ? loaded.cluster.leader : null;
        if (leader && !former.includes(leader.name)) {
          taken = true;
          notify?.();
          return;
        }
      } while (again && !done);
    } finally {
      reading = false;
    }
  };
  const unsubscribe = dcs.onChange((event) => {
    if (done || event.key !== 'leader' || event.type !== 'put') return;
    void check();
  });
  return {
    wait(ms) {
      if (taken) {
        done = true;
        unsubscribe();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = clock.setTimer(ms, () => notify?.());
        notify = () => {
          notify = null;
          done = true;
          timer.cancel();
          unsubscribe();
          resolve();
        };
      });
    },
  };
}

/**
 * Who held the lock or is giving it up, as a cycle saw the cluster: this node, the
 * leader key's holder, a switchover's `leader`. The key naming one of them is no new leader.
 */
export function formerLeaders(me: string, cluster: Pick<Cluster, 'leader' | 'failover'> | null): string[] {
  const names = [me, cluster?.leader?.name, cluster?.failover?.leader];
  return names.filter((n): n is string => typeof n === 'string' && n !== '');
}
