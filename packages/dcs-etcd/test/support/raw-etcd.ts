/**
 * A plain etcd client for tests, to look at and write raw keys behind the adapter's back.
 * It speaks the same HTTP gateway as the adapter but shares none of its state; each call
 * tries the endpoints in turn (a member may be down) with a 5 s timeout each.
 */
import type { EtcdCluster } from '@pgwarden/testkit';
import { EtcdClient } from '../../src/etcd-client.js';
import { prefixEnd } from '../../src/cache.js';
import type { KeyValue } from '../../src/wire.js';

const TIMEOUT_MS = 5000;
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

export class RawEtcd {
  private readonly clients: EtcdClient[];

  constructor(endpoints: readonly string[]) {
    this.clients = endpoints.map((url) => new EtcdClient({ url }));
  }

  /** The key's value, or null when it is absent. */
  async get(key: string): Promise<string | null> {
    return (await this.kv(key))?.value.toString('utf8') ?? null;
  }

  async kv(key: string): Promise<KeyValue | undefined> {
    return (await this.run((client, options) => client.kv.range({ key: utf8(key) }, options))).kvs[0];
  }

  async prefix(prefix: string): Promise<KeyValue[]> {
    return (await this.run((client, options) => client.kv.range({ key: utf8(prefix), range_end: prefixEnd(utf8(prefix)) }, options))).kvs;
  }

  async put(key: string, value: string, lease?: string): Promise<void> {
    await this.run((client, options) => client.kv.put({ key: utf8(key), value: utf8(value), ...(lease && { lease }) }, options));
  }

  async delete(key: string): Promise<void> {
    await this.run((client, options) => client.kv.deleteRange({ key: utf8(key) }, options));
  }

  /** A new lease (never kept alive), its ID. */
  async grant(ttlSeconds: number): Promise<string> {
    return (await this.run((client, options) => client.leaseGrant({ TTL: ttlSeconds }, options))).ID;
  }

  async timeToLive(id: string): Promise<{ readonly TTL: string; readonly grantedTTL: string }> {
    return this.run((client, options) => client.leaseTimeToLive({ ID: id }, options));
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  private async run<T>(call: (client: EtcdClient, options: { timeoutMs: number; signal: AbortSignal }) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const client of this.clients) {
      try {
        return await call(client, { timeoutMs: TIMEOUT_MS, signal: new AbortController().signal });
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}

export function rawClient(etcd: EtcdCluster): RawEtcd {
  return new RawEtcd(etcd.endpoints);
}
