/**
 * For tooling (dashboards, backup scripts, exporters): read the cluster a patroni.yml
 * describes, without becoming a member. The DCS is opened the way pgwardenctl opens it
 * — read-only, no session, linearizable reads — and closed before returning.
 */
import type { Cluster } from '@pgwarden/core';
import { loadConfig } from '../config/load.js';
import { openDcs } from '../ctl/dcs-open.js';

export interface ReadClusterOptions {
  /** Environment for PATRONI_* overrides, as the agent applies them; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads another cluster in the same DCS than the file's `scope`. */
  readonly scope?: string;
}

/**
 * The current cluster (leader, members, config, failover, sync, history) of the
 * patroni.yml at `path`. Throws an Error naming the file, key or DCS when the file has
 * no scope or DCS section, or the DCS cannot be read within its retry_timeout.
 */
export async function readClusterFromConfig(path: string, options: ReadClusterOptions = {}): Promise<Cluster> {
  const raw = loadConfig({ path, ...(options.env && { env: options.env }) }).raw;
  const scope = options.scope ?? (typeof raw.scope === 'string' ? raw.scope : '');
  if (!scope) throw new Error(`${path}: 'scope' is missing: set it to the cluster's name (or pass options.scope)`);
  const dcs = await openDcs(raw, scope);
  try {
    const outcome = await dcs.loadCluster({ linearizable: true });
    if (outcome.kind === 'unavailable') {
      throw new Error(`${path}: cannot read cluster '${scope}' from the DCS: ${outcome.cause.message}`, { cause: outcome.cause });
    }
    return outcome.cluster;
  } finally {
    await dcs.close();
  }
}
