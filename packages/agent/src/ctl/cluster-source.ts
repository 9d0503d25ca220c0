/**
 * Where a command reads the cluster from: the DCS (linearizable reads, the default), or
 * with `--api URL` any member's REST API (`GET /cluster`, `/config`, `/history`), for
 * operators who have no DCS credentials. Commands that write to the DCS need the DCS.
 */
import { type Cluster, type Dcs } from '@pgwarden/core';
import { clusterFromApi } from './api-cluster.js';
import { openDcs } from './dcs-open.js';
import { CtlError } from './errors.js';
import type { RestClient } from './rest.js';

export interface ClusterSource {
  readonly scope: string;
  /** null when reading through `--api`. */
  readonly dcs: Dcs | null;
  load(): Promise<Cluster>;
  close(): Promise<void>;
}

/** No key at all under the scope: a typo'd name or the wrong namespace. */
export function isUnknownCluster(c: Cluster): boolean {
  return c.initialize === null && c.config === null && c.leader === null && c.members.length === 0 && c.history === null && c.failover === null;
}

export async function openClusterSource(options: {
  config: Readonly<Record<string, unknown>>;
  scope: string;
  api?: string;
  rest: RestClient;
}): Promise<ClusterSource> {
  const { scope } = options;
  const check = (cluster: Cluster): Cluster => {
    // Deliberate difference: patronictl prints an empty table for an unknown name.
    if (isUnknownCluster(cluster)) throw new CtlError(`Cluster ${scope} does not exist: no keys for it in the DCS`);
    return cluster;
  };
  if (options.api) {
    const api = options.api;
    return {
      scope,
      dcs: null,
      load: async () => check(await clusterFromApi(options.rest, api, scope)),
      close: async () => {},
    };
  }
  const dcs = await openDcs(options.config, scope);
  return {
    scope,
    dcs,
    async load() {
      const outcome = await dcs.loadCluster({ linearizable: true });
      if (outcome.kind === 'unavailable') throw new CtlError(`DCS is not accessible: ${outcome.cause.message}`, { cause: outcome.cause });
      return check(outcome.cluster);
    },
    close: () => dcs.close(),
  };
}

/** For commands that write keys (edit-config, remove, the switchover fallback). */
export function requireDcs(source: ClusterSource, what: string): Dcs {
  if (!source.dcs) throw new CtlError(`${what} writes to the DCS directly and cannot work through --api; give the DCS (-c or --dcs-url)`);
  return source.dcs;
}
