/**
 * The conformance target for the etcd adapter: a real etcd from the testkit, adapters
 * built through `dcsAdapter.create` exactly as the agent builds them, and a plain etcd
 * client (support/raw-etcd.ts) to look at and write raw keys behind the adapter's back.
 */
import { execFileSync } from 'node:child_process';
import { KeyLayout, silentLogger, systemClock, type DcsAdapterOptions } from '@pgwarden/core';
import type { ConformanceFactory, ConformanceTarget } from '@pgwarden/core/testing';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { RawEtcd, rawClient } from './raw-etcd.js';
import { dcsAdapter, Etcd3Dcs, type Etcd3Section } from '../../src/index.js';

export function sectionFor(etcd: EtcdCluster): Etcd3Section {
  return { hosts: [...etcd.hosts], protocol: 'http' };
}

export { rawClient };

/** Turns on etcd's authentication with a `root` user (etcd 3.4 needs it, with the root role, before `auth enable`). */
export function enableAuth(etcd: EtcdCluster, password: string): void {
  const ctl = (...args: string[]): string => execFileSync('etcdctl', ['--endpoints', etcd.endpoints[0]!, ...args]).toString();
  ctl('user', 'add', `root:${password}`);
  ctl('user', 'grant-role', 'root', 'root');
  ctl('auth', 'enable');
}

/** An adapter made by `dcsAdapter.create`, as the agent makes it, for `source`'s endpoints. */
export async function createAdapter(
  source: EtcdCluster | Etcd3Section,
  options: Partial<DcsAdapterOptions<Etcd3Section>> & { scope: string; name: string },
): Promise<Etcd3Dcs> {
  const adapter = await dcsAdapter.create({
    section: 'protocol' in source ? source : sectionFor(source),
    layout: options.layout ?? new KeyLayout({ scope: options.scope }),
    name: options.name,
    ttlSeconds: options.ttlSeconds ?? 10,
    loopWaitSeconds: options.loopWaitSeconds ?? 1,
    retryTimeoutSeconds: options.retryTimeoutSeconds ?? 3,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    ...(options.readOnly !== undefined && { readOnly: options.readOnly }),
  });
  if (!(adapter instanceof Etcd3Dcs)) throw new Error('dcsAdapter.create did not return an Etcd3Dcs');
  return adapter;
}

export interface EtcdConformanceFactory extends ConformanceFactory {
  /** The shared etcd, started on first use. */
  etcd(): Promise<EtcdCluster>;
  /** Stops etcd for good (teardown only releases the suite's clients). */
  close(): Promise<void>;
}

/**
 * One etcd shared by every suite that uses this factory (several describeDcsConformance
 * calls in one file), started on the first setup and stopped by close().
 */
export function etcdConformanceFactory(members: 1 | 3 = 1): EtcdConformanceFactory {
  let etcd: EtcdCluster | undefined;
  let raw: RawEtcd | undefined;
  const adapters = new Set<Etcd3Dcs>();
  let starting: Promise<EtcdCluster> | undefined;
  const start = (): Promise<EtcdCluster> => (starting ??= startEtcd({ members }).then((started) => (etcd = started)));
  const running = (): EtcdCluster => {
    if (!etcd) throw new Error('etcd is not started');
    return etcd;
  };
  // Stop/start/freeze act on every member still meant to be up.
  const eachMember = async (action: 'stop' | 'start' | 'freeze' | 'thaw'): Promise<void> => {
    for (const member of running().members) {
      if (action === 'start' || member.running) await member[action]();
    }
  };

  return {
    etcd: start,
    async setup(): Promise<ConformanceTarget> {
      const cluster = await start();
      raw ??= rawClient(cluster);
      const client = raw;
      return {
        leadingSlash: true,
        async connect(options) {
          const adapter = await createAdapter(cluster, { ...options, scope: options.layout.scope, layout: options.layout });
          adapters.add(adapter);
          return {
            adapter,
            abandon: async () => {
              adapters.delete(adapter);
              adapter.abandon();
            },
          };
        },
        readRaw: (path) => client.get(path),
        async writeRaw(path, value) {
          await client.put(path, value);
        },
        server: {
          stop: () => eachMember('stop'),
          start: () => eachMember('start'),
          freeze: () => eachMember('freeze'),
          thaw: () => eachMember('thaw'),
        },
      };
    },
    async teardown() {
      for (const adapter of adapters) adapter.abandon();
      adapters.clear();
    },
    async close() {
      raw?.close();
      raw = undefined;
      const started = await starting?.catch(() => undefined);
      await started?.close();
      etcd = undefined;
      starting = undefined;
    },
  };
}
