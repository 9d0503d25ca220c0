/**
 * What an adapter's conformance test hands the kit: how to connect clients, how to
 * look at the server's raw keys, and how to break the server.
 */
import type { DcsAdapter, DcsAdapterOptions, DcsCapabilities } from '../dcs/adapter.js';

export interface ConformanceClient {
  readonly adapter: DcsAdapter;
  /**
   * Drops the connection without ending the session (as a frozen or killed agent
   * would), so the session's keys must vanish by TTL alone. For ZooKeeper this means
   * the client stops pinging too.
   */
  abandon(): Promise<void>;
}

/** What the kit decides for each client: DcsAdapterOptions without the section and logger the target supplies. */
export type ConnectOptions = Omit<DcsAdapterOptions<never>, 'section' | 'logger' | 'readOnly'>;

export interface ConformanceServer {
  /** Stops the server process (SIGTERM/SIGKILL); data stays on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same address and data, and waits until it is healthy. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): Promise<void>;
}

export interface ConformanceTarget {
  connect(options: ConnectOptions): Promise<ConformanceClient>;
  /** The raw value stored at a full path, read without the adapter; null when absent. */
  readRaw(path: string): Promise<string | null>;
  /** Writes a raw value at a full path without the adapter (persistent, no session). Not used by the kit's groups. */
  writeRaw?(path: string, value: string): Promise<void>;
  /**
   * Ends a client's session from outside, as the server would after losing it (ZooKeeper:
   * session expiry). Required when liveness is 'client'; for 'loop' backends the kit
   * lets the lease run out instead.
   */
  expireSession?(client: ConformanceClient): Promise<void>;
  /** Whether the layout for this backend keeps the leading `/` (Consul does not). */
  readonly leadingSlash: boolean;
  readonly server: ConformanceServer;
}

export interface ConformanceFactory {
  /** Called once before the suite (start a server, …). */
  setup(): Promise<ConformanceTarget>;
  /** Called once after the suite, even when it failed. */
  teardown(): Promise<void>;
}

export interface ConformanceOptions {
  /** Overrides the TTL the kit uses; default: the capability's minimum, at least 2 s. */
  readonly ttlSeconds?: number;
  /** retry_timeout for the calls the kit makes; default 2 s. */
  readonly retryTimeoutSeconds?: number;
  /** Which groups to run; default all. */
  readonly groups?: readonly ConformanceGroup[];
  /** Only these case ids (`lock.race`, …) of the chosen groups; default every case. */
  readonly only?: readonly string[];
}

export type ConformanceGroup = 'layout' | 'lock' | 'expiry' | 'writes' | 'watch' | 'lifecycle' | 'session' | 'outage';

export type { DcsCapabilities };
