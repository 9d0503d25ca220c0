/**
 * The key layout Patroni uses: `/<namespace>/<scope>/<key>`. Runs of `/` collapse, so
 * `service`, `/service` and `/service/` all give `/service/<scope>`. The prefix used
 * for reads, watches and deleting a cluster ends with `/`, so scope `batman` never
 * matches `batman2`. Consul keys carry no leading `/`.
 */
export const CLUSTER_KEYS = {
  leader: 'leader',
  initialize: 'initialize',
  config: 'config',
  history: 'history',
  status: 'status',
  legacyOptime: 'optime/leader',
  failover: 'failover',
  sync: 'sync',
  failsafe: 'failsafe',
  members: 'members/',
} as const;

/** Keys an adapter writes on behalf of core, besides the session-bound leader and member keys. */
export type DataKey = 'initialize' | 'config' | 'history' | 'status' | 'optime/leader' | 'failover' | 'sync' | 'failsafe';

export const DEFAULT_NAMESPACE = '/service';

export interface KeyLayoutOptions {
  namespace?: string;
  scope: string;
  /** false for Consul, whose KV paths have no leading `/`. */
  leadingSlash?: boolean;
}

export class KeyLayout {
  /** `/service/batman` (no trailing slash). */
  readonly base: string;
  /** `/service/batman/`: what reads, watches and delete-cluster use. */
  readonly prefix: string;
  readonly scope: string;
  readonly namespace: string;

  constructor(options: KeyLayoutOptions) {
    if (!options.scope || !options.scope.trim()) {
      throw new TypeError('scope must be a non-empty cluster name');
    }
    this.scope = options.scope;
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    let base = `/${this.namespace}/${this.scope}`.replace(/\/+/g, '/');
    if (base.length > 1 && base.endsWith('/')) base = base.slice(0, -1);
    if (options.leadingSlash === false) base = base.replace(/^\/+/, '');
    this.base = base;
    this.prefix = `${base}/`;
  }

  /** The full path of a key relative to the cluster, e.g. `leader` or `members/node1`. */
  key(relative: string): string {
    return this.prefix + relative;
  }

  member(name: string): string {
    return this.key(CLUSTER_KEYS.members + name);
  }

  /** The key relative to the cluster, or null when `path` lies outside this cluster. */
  relative(path: string): string | null {
    return path.startsWith(this.prefix) ? path.slice(this.prefix.length) : null;
  }
}
