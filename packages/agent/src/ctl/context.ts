/**
 * What every command gets: console I/O, the loaded configuration, the REST client, and
 * how to open the cluster (by the CLUSTER_NAME argument, else the config's `scope`).
 */
import type { OptionSpec } from './args.js';
import { openClusterSource, type ClusterSource } from './cluster-source.js';
import { CtlError } from './errors.js';
import type { CtlIo } from './io.js';
import type { RestClient } from './rest.js';

export interface CommandContext {
  readonly io: CtlIo;
  readonly config: Readonly<Record<string, unknown>>;
  readonly rest: RestClient;
  /** `--api URL`: read the cluster from this member's REST API instead of the DCS. */
  readonly api?: string;
}

export interface Command {
  readonly name: string;
  readonly help: string;
  /** The positional arguments for `--help`, e.g. `[CLUSTER_NAME] [MEMBER_NAMES]...`. */
  readonly usage: string;
  /** Every option the command parses: `run` parses with this table and `--help` prints it. */
  readonly options: readonly OptionSpec[];
  run(ctx: CommandContext, argv: readonly string[]): Promise<void>;
}

/** The cluster name: the argument, else `scope` from the configuration. */
export function clusterName(ctx: CommandContext, arg: string | undefined, required = false): string {
  if (arg) return arg;
  const scope = ctx.config.scope;
  if (!required && typeof scope === 'string' && scope) return scope;
  throw new CtlError(required ? 'Missing argument CLUSTER_NAME' : 'Cluster name not given: pass CLUSTER_NAME or set scope in the configuration');
}

export async function withCluster<T>(ctx: CommandContext, scope: string, body: (source: ClusterSource) => Promise<T>): Promise<T> {
  const source = await openClusterSource({ config: ctx.config, scope, rest: ctx.rest, ...(ctx.api !== undefined && { api: ctx.api }) });
  try {
    return await body(source);
  } finally {
    await source.close().catch(() => {});
  }
}
