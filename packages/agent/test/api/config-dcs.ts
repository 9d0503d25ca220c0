/**
 * The REST API in process with `/config` stored in the in-memory DCS: reads and writes
 * go through core's Dcs (codec, CAS on the version) to a MemoryDcsServer, whose raw
 * bytes the tests compare. The other actions are the recording ones of harness.ts.
 */
import {
  Dcs,
  KeyLayout,
  MemoryDcs,
  MemoryDcsServer,
  systemClock,
  type Cluster,
  type JsonObject,
} from '@pgwarden/core';
import { RestApiServer, type NodeStateSource } from '../../src/api/index.js';
import { primary } from './fixtures.js';
import { RecordingActions } from './harness.js';

class DcsActions extends RecordingActions {
  constructor(private readonly dcs: Dcs) {
    super();
  }
  override async loadCluster(): Promise<Cluster> {
    const r = await this.dcs.loadCluster({ linearizable: true });
    if (r.kind !== 'loaded') throw new Error(`DCS is not accessible: ${r.cause.message}`);
    return r.cluster;
  }
  override async writeConfig(value: string, expectedVersion: string | null): Promise<boolean> {
    await super.writeConfig(value, expectedVersion);
    const r = await this.dcs.writeConfig(JSON.parse(value) as JsonObject, expectedVersion ?? undefined);
    return r.kind === 'written';
  }
}

export interface ConfigApi {
  readonly url: string;
  readonly actions: RecordingActions;
  /** The `/config` value exactly as stored (bytes), or undefined without the key. */
  stored(): string | undefined;
  /** Replaces the stored `/config` with this JSON text, bypassing every check (as etcdctl would). */
  store(text: string): void;
  send(method: string, path: string, body?: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export async function startConfigApi(source?: NodeStateSource): Promise<ConfigApi> {
  const server = new MemoryDcsServer({ clock: systemClock });
  const layout = new KeyLayout({ scope: 'cfg' });
  const dcs = new Dcs({ adapter: new MemoryDcs({ server, layout, name: 'node1', ttlSeconds: 30 }), timing: { ttl: 30, loopWait: 10, retryTimeout: 10 } });
  const actions = new DcsActions(dcs);
  const state = primary();
  const api = await RestApiServer.start({
    config: { listen: '127.0.0.1:0' },
    source: source ?? { current: () => state, cluster: () => null, config: () => null },
    actions,
    failoverPollIntervalMs: 5,
  });
  const configKey = layout.key('config');
  return {
    url: api.url,
    actions,
    stored: () => server.get(configKey)?.value,
    store: (text) => void server.put(configKey, text),
    async send(method, path, body) {
      const res = await fetch(api.url + path, { method, ...(body !== undefined && { body }) });
      return { status: res.status, text: await res.text() };
    },
    close: () => api.close(),
  };
}
