/**
 * The typed local configuration (spec/api.md §3.2, keys marked L): what one node reads
 * from its patroni.yml and environment. Only keys pgwarden acts on are typed; `raw`
 * keeps the whole section for the rest. The dynamic part (`bootstrap.dcs`, later the
 * DCS `/config`) is typed by core's DynamicSettings.
 */
import type { DynamicSettings } from '@pgwarden/core';
import type { RawConfig } from './records.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface Credentials {
  readonly username: string;
  readonly password?: string;
}

export interface RestApiLocalConfig {
  readonly listen: HostPort;
  readonly connectAddress: HostPort;
  readonly authentication?: Credentials;
  readonly certfile?: string;
  readonly keyfile?: string;
  readonly keyfilePassword?: string;
  readonly cafile?: string;
  readonly ciphers?: string;
  readonly verifyClient: 'none' | 'optional' | 'required';
  readonly allowlist: readonly string[];
  readonly allowlistIncludeMembers: boolean;
  readonly httpExtraHeaders: Readonly<Record<string, string>>;
  readonly httpsExtraHeaders: Readonly<Record<string, string>>;
  readonly requestQueueSize: number;
}

export interface CtlConfig {
  readonly authentication?: Credentials;
  readonly insecure: boolean;
  readonly cacert?: string;
  readonly certfile?: string;
  readonly keyfile?: string;
  readonly keyfilePassword?: string;
}

/** A Postgres role with the libpq settings Patroni passes along (sslmode, sslcert, …). */
export interface PostgresUser extends Credentials {
  readonly options: Readonly<Record<string, string>>;
}

export interface PostgresqlLocalConfig {
  /** `postgresql.listen`: one or more hosts (comma-separated) and one port. */
  readonly listen: { readonly hosts: readonly string[]; readonly port: number };
  readonly connectAddress: HostPort;
  readonly proxyAddress?: HostPort;
  readonly dataDir: string;
  /** Defaults to data_dir. */
  readonly configDir: string;
  readonly binDir?: string;
  readonly binName: Readonly<Record<string, string>>;
  readonly pgpass?: string;
  readonly authentication: {
    readonly superuser: PostgresUser;
    readonly replication: PostgresUser;
    readonly rewind?: PostgresUser;
  };
  /** Local parameters, without the command-line-only ones (those come from the dynamic config). */
  readonly parameters: RawConfig;
  readonly pgHba?: readonly string[];
  readonly pgIdent?: readonly string[];
  readonly pgCtlTimeout: number;
  readonly usePgRewind?: boolean;
  readonly useUnixSocket: boolean;
  readonly useUnixSocketRepl: boolean;
  readonly database: string;
  readonly createReplicaMethods: readonly string[];
  readonly callbacks: Readonly<Record<string, string>>;
  readonly raw: RawConfig;
}

export interface WatchdogConfig {
  readonly mode: 'off' | 'automatic' | 'required';
  readonly device: string;
  /** Seconds before the lock expires that the watchdog fires; -1 means ttl/2. */
  readonly safetyMargin: number;
  readonly driver: string;
}

export interface TagsConfig {
  readonly nofailover?: boolean;
  readonly failoverPriority?: number;
  readonly clonefrom: boolean;
  readonly noloadbalance: boolean;
  readonly nosync: boolean;
  readonly nostream: boolean;
  readonly replicatefrom?: string;
  /** Every tag as written, custom ones included (published in the member key). */
  readonly raw: RawConfig;
}

export type LogFormat = string | readonly (string | Readonly<Record<string, string>>)[];

export interface LogConfig {
  readonly type: 'plain' | 'json';
  readonly level: 'DEBUG' | 'INFO' | 'WARN' | 'WARNING' | 'ERROR' | 'FATAL' | 'CRITICAL';
  readonly tracebackLevel: 'DEBUG' | 'ERROR';
  readonly format: LogFormat;
  readonly dateformat?: string;
  readonly staticFields: RawConfig;
  readonly maxQueueSize: number;
  readonly dir?: string;
  readonly fileSize: number;
  readonly fileNum: number;
  readonly loggers: RawConfig;
}

export interface BootstrapConfig {
  /** `bootstrap.dcs`, validated; written to `/config` when this node initializes the cluster. */
  readonly dcs: DynamicSettings;
  readonly method: string;
  readonly initdb: readonly (string | RawConfig)[];
  readonly pgHba?: readonly string[];
  readonly raw: RawConfig;
}

export interface DcsSectionConfig {
  /** The section name in patroni.yml (`etcd3`, `zookeeper`, `consul`, or a custom one with `module:`). */
  readonly name: string;
  /** The package the adapter came from. */
  readonly module: string;
  /** What the adapter's parseSection returned. */
  readonly settings: unknown;
}

export interface CitusConfig {
  readonly group: number;
  readonly database: string;
}

export interface LocalConfig {
  readonly name: string;
  readonly scope: string;
  readonly namespace: string;
  readonly restapi: RestApiLocalConfig;
  readonly ctl: CtlConfig;
  readonly postgresql: PostgresqlLocalConfig;
  readonly dcs: DcsSectionConfig;
  readonly watchdog: WatchdogConfig;
  readonly tags: TagsConfig;
  readonly log: LogConfig;
  readonly bootstrap: BootstrapConfig;
  readonly citus: CitusConfig | null;
  /** The whole merged document, as read. */
  readonly raw: RawConfig;
}
