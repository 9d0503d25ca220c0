/**
 * The Patroni release whose DCS formats, REST API and behaviour pgwarden implements.
 * pgwarden announces it wherever Patroni announces its own version — `version` in the
 * member key, `patroni.version` in `/patroni`, the `patroni_version` metric — because
 * Patroni peers and tools read that value as a Patroni version (cluster minimum version,
 * feature checks). pgwarden's own release is announced separately, as `pgwarden_version`.
 */
export const PATRONI_PROTOCOL_VERSION = '3.3.1';
