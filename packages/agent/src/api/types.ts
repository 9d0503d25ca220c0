/**
 * What the REST API server needs from the rest of the agent. Reads come from the HA
 * loop's last published state (no I/O on health checks); writes are handed to
 * `ApiActions`, which the engine integration implements.
 */
import type { Cluster, JsonObject, Member, NodeState } from '@pgwarden/core';

export interface NodeStateSource {
  /** The state the last HA cycle published. Must be cheap: every health check calls it. */
  current(): NodeState;
  /** The last DCS snapshot the loop took, or null before the first one (`/history`, `/failsafe`, allowlist members). */
  cluster(): Cluster | null;
  /** The dynamic configuration from the last snapshot that had a valid one (`GET /config`), or null. */
  config(): JsonObject | null;
  /**
   * The state with Postgres queried now (`GET /patroni`, `/metrics`), as Patroni's
   * `get_postgresql_status` does. The server bounds the wait (2 s) and shares one call
   * among concurrent requests; without it those paths serve `current()`.
   */
  live?(): Promise<NodeState>;
}

/** `POST /restart` after validation. A key is present exactly when the request had it. */
export interface RestartRequest {
  /** `primary` (also for `master`) or `replica`: restart only a node with this role. */
  readonly role?: 'primary' | 'replica';
  /** Restart only if the running version is lower than this (`X.Y` or `X.Y.Z`). */
  readonly postgresVersion?: string;
  /** Seconds; overrides `primary_start_timeout` for this restart. */
  readonly timeout?: number;
  /**
   * Present when the request carried `restart_pending`. Patroni filters on the key's
   * presence, even when it is false; the engine decides whether to keep that quirk.
   */
  readonly restartPending?: boolean;
}

export interface ScheduledRestartRequest extends RestartRequest {
  /** Epoch milliseconds. */
  readonly scheduleAt: number;
  /** ISO 8601 with the client's offset, as reported back in `scheduled_restart.schedule`. */
  readonly schedule: string;
}

export interface FailoverKey {
  readonly leader: string | null;
  readonly candidate: string | null;
  /** ISO 8601 with an offset, or null for "now". */
  readonly scheduledAt: string | null;
}

export interface ApiActions {
  /** A fresh read of the DCS. Writes and `GET /cluster` must not act on a stale snapshot. */
  loadCluster(): Promise<Cluster>;
  /** Writes the dynamic config (compact JSON); CAS on `expectedVersion` unless null. False when refused or failed. */
  writeConfig(value: string, expectedVersion: string | null): Promise<boolean>;
  /**
   * Writes the `failover` key, or clears it when leader and candidate are both null.
   * CAS on `expectedVersion` when given. False when refused or failed.
   */
  writeFailover(key: FailoverKey, expectedVersion?: string): Promise<boolean>;
  /**
   * Asks these members' REST APIs whether any could take over: reachable, not
   * `nofailover`, priority above 0, watchdog working (Patroni's `failover_limitation`).
   */
  hasHealthyCandidate(members: readonly Member[]): Promise<boolean>;
  /** Runs the HA loop now instead of after `loop_wait`. */
  wakeup(): void;
  /** An immediate restart; `message` is the reply body. Throwing answers 400 `restart failed`. */
  restart(request: RestartRequest): Promise<{ readonly ok: boolean; readonly message: string }>;
  /** False when another restart is already scheduled. */
  scheduleRestart(request: ScheduledRestartRequest): Promise<boolean>;
  /** False when no restart was scheduled. */
  deleteScheduledRestart(): Promise<boolean>;
  /** Null when the reinitialisation started, else the reason it did not. */
  reinitialize(force: boolean, fromLeader?: boolean): Promise<string | null>;
  /** Re-reads the configuration, as SIGHUP does; asynchronous. */
  reload(): void;
  /** A leader's failsafe push to this node; null or `Accepted` to accept, else the refusal message. */
  updateFailsafe(members: JsonObject): Promise<string | null>;
  /** Optional test hook behind `POST /sigterm` (Patroni's Windows-only shutdown hook). */
  sigterm?(): void;
}

/** The `restapi` section of patroni.yml, with Patroni's key names. */
export interface RestApiConfig {
  /** `host:port`; a host of `*` or empty binds every address. Port 0 picks a free one. */
  readonly listen: string;
  readonly connect_address?: string;
  readonly authentication?: { readonly username: string; readonly password: string };
  readonly certfile?: string;
  readonly keyfile?: string;
  readonly keyfile_password?: string;
  /** CA that client certificates must chain to. */
  readonly cafile?: string;
  readonly ciphers?: string;
  readonly verify_client?: 'none' | 'optional' | 'required';
  /** CIDRs, addresses or host names allowed to call protected endpoints. */
  readonly allowlist?: readonly string[];
  /** Also allow the hosts of the members' `api_url`s. */
  readonly allowlist_include_members?: boolean;
  readonly http_extra_headers?: Readonly<Record<string, string>>;
  /** Added under TLS only. */
  readonly https_extra_headers?: Readonly<Record<string, string>>;
  /** The listen backlog (Patroni: 5; pgwarden: 511 when unset, see server.ts). */
  readonly request_queue_size?: number;
}
