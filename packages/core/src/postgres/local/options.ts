import type { CallbackAction } from '../callbacks.js';
import type { PostgresParameters } from '../controller.js';
import type { LibpqClientSettings } from './client-settings.js';
import type { RunAs } from './run-as.js';

/**
 * A role's credentials and libpq client settings (`postgresql.authentication.<role>`):
 * every connection made as the role uses its sslmode, sslcert… (client-settings.ts).
 */
export interface RoleCredentials extends LibpqClientSettings {
  readonly username: string;
  readonly password?: string;
}

/** `postgresql.basebackup`: a list of flags and/or `{option: value}` maps, or one map. */
export type ToolOptions = readonly (string | Readonly<Record<string, string | number>>)[] | Readonly<Record<string, string | number>>;

/** A custom replica creation method (`postgresql.<method>` in patroni.yml). */
export interface ReplicaMethodConfig {
  readonly command?: string;
  readonly no_leader?: boolean;
  /** Old spelling of no_leader. */
  readonly no_master?: boolean;
  readonly keep_data?: boolean;
  readonly no_params?: boolean;
  /** Further keys are passed as `--key=value`. */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
}

/** `bootstrap` section (the parts the controller uses). */
export interface BootstrapConfig {
  /** `initdb` (default) or the name of a custom method in `methods`. */
  readonly method?: string;
  readonly initdb?: ToolOptions;
  readonly pg_hba?: readonly string[];
  readonly post_bootstrap?: string;
  /** Custom bootstrap methods, by name (`bootstrap.<method>` in patroni.yml). */
  readonly methods?: Readonly<
    Record<
      string,
      {
        readonly command: string;
        readonly no_params?: boolean;
        readonly keep_existing_recovery_conf?: boolean;
        readonly recovery_conf?: Readonly<Record<string, string>>;
        readonly options?: Readonly<Record<string, string | number | boolean>>;
      }
    >
  >;
}

/**
 * What the real controller needs: the `postgresql` section of patroni.yml with Patroni's
 * key names (the agent maps the YAML onto this), plus scope, member name and the
 * bootstrap section.
 */
export interface LocalPostgresConfig {
  readonly scope: string;
  readonly name: string;
  readonly data_dir: string;
  readonly config_dir?: string;
  readonly bin_dir?: string;
  /** `host[,host…]:port` Postgres listens on. */
  readonly listen: string;
  /** `host:port` others use to reach us (conn_url). */
  readonly connect_address?: string;
  readonly authentication: {
    readonly superuser: RoleCredentials;
    readonly replication: RoleCredentials;
    readonly rewind?: RoleCredentials;
  };
  /** Local `postgresql.parameters` (merged under the dynamic ones). */
  readonly parameters?: PostgresParameters;
  readonly pg_hba?: readonly string[];
  readonly pg_ident?: readonly string[];
  readonly custom_conf?: string;
  /** Path of the pgpass file the controller writes (mode 0600). */
  readonly pgpass?: string;
  readonly recovery_conf?: Readonly<Record<string, string>>;
  readonly use_pg_rewind?: boolean;
  readonly use_slots?: boolean;
  readonly remove_data_directory_on_rewind_failure?: boolean;
  readonly remove_data_directory_on_diverged_timelines?: boolean;
  readonly create_replica_methods?: readonly string[];
  readonly basebackup?: ToolOptions;
  readonly replica_methods?: Readonly<Record<string, ReplicaMethodConfig>>;
  readonly callbacks?: Readonly<Partial<Record<CallbackAction, string>>>;
  readonly pre_promote?: string;
  readonly before_stop?: string;
  /** Seconds; default 60. */
  readonly pg_ctl_timeout?: number;
  readonly bootstrap?: BootstrapConfig;
  /**
   * pgwarden-specific: when the agent runs as root, run Postgres programs as this
   * unprivileged user. Unset when the agent already runs as the database owner.
   */
  readonly run_as?: RunAs;
}
