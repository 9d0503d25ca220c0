/**
 * The network between nodes (replication, peer REST calls). Partitions are symmetric
 * and counted, so overlapping faults heal independently. Partitions between a node and
 * the DCS are not here: they go through MemoryDcsServer.cutOffClient.
 */
export class Network {
  private readonly blocked = new Map<string, number>();

  private static key(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  canReach(from: string, to: string): boolean {
    // Most instants have no partition at all: no key to build.
    return from === to || this.blocked.size === 0 || !this.blocked.has(Network.key(from, to));
  }

  cut(a: string, b: string): void {
    const k = Network.key(a, b);
    this.blocked.set(k, (this.blocked.get(k) ?? 0) + 1);
  }

  heal(a: string, b: string): void {
    const k = Network.key(a, b);
    const n = (this.blocked.get(k) ?? 0) - 1;
    if (n <= 0) this.blocked.delete(k);
    else this.blocked.set(k, n);
  }
}
