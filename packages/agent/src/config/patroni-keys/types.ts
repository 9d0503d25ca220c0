/**
 * One key of Patroni 4.1's configuration reference and what pgwarden does with it.
 *
 * - `used`: read and honoured.
 * - `warned`: accepted; pgwarden logs once at start that it has no effect (harmless to
 *   ignore: cosmetic, or a feature of a DCS or library pgwarden does not use).
 * - `refused`: validation fails with this reason: ignoring the key would change how the
 *   cluster behaves or how safe it is, so the operator must decide what to do instead.
 */
export type PatroniKeyStatus = 'used' | 'warned' | 'refused';

/** Where the key lives: patroni.yml, the dynamic `/config` (and `bootstrap.dcs`), or the environment. */
export type PatroniKeySection = 'local' | 'dynamic' | 'environment';

export interface PatroniKey {
  /**
   * Dotted path as written in patroni.yml (`restapi.server_tokens`), in the dynamic
   * config (`member_slots_ttl`), or the variable name (`PATRONI_LOG_MODE`). A `*`
   * segment stands for any name (`slots.*.cluster_type`).
   */
  readonly path: string;
  readonly section: PatroniKeySection;
  /** The heading of Patroni's reference the key is listed under (Log, Etcd, PostgreSQL…). */
  readonly group: string;
  readonly status: PatroniKeyStatus;
  /** For warned and refused keys: why, and what to do instead. */
  readonly reason?: string;
  /** For environment variables: the patroni.yml path the variable sets (its status follows that key). */
  readonly sets?: string;
}
