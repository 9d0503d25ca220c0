/**
 * Watches who holds the leader key (read straight from etcd, 5 times a second) and what a
 * node's REST API says it is, so a test can prove that a woken or restarted old leader
 * never took the lock back, not just that it ended up a replica.
 */
import { patroni } from './api.js';
import { SCOPE, sleep, type AgentNode, type E2eCluster } from './cluster.js';
import { etcdGet } from './requests.js';
import { monoNow } from './writer.js';

export interface Sample {
  readonly at: number;
  readonly leader: string | null;
  /** `role/state` of the watched node's /patroni, or null when it did not answer. */
  readonly node: string | null;
}

export class LeaderWatch {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(cluster: E2eCluster, watched: AgentNode) {
    this.done = this.loop(cluster, watched);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  /** The leader key's values in order, repeats collapsed, e.g. ['node1', null, 'node2']. */
  leaders(): (string | null)[] {
    const out: (string | null)[] = [];
    for (const s of this.samples) if (out.length === 0 || out[out.length - 1] !== s.leader) out.push(s.leader);
    return out;
  }

  private async loop(cluster: E2eCluster, watched: AgentNode): Promise<void> {
    while (this.running) {
      const at = monoNow();
      const [leader, status] = await Promise.all([
        etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/leader`).catch(() => 'etcd-error'),
        patroni(watched),
      ]);
      this.samples.push({ at, leader, node: status ? `${String(status['role'])}/${String(status['state'])}` : null });
      await sleep(200);
    }
  }
}
