/**
 * Parameters pgwarden writes into postgresql.conf when neither patroni.yml nor the
 * dynamic configuration (`postgresql.parameters`) names them. A value the user sets, in
 * either place and in any letter case, always wins.
 */

/** pgwarden's value for each parameter the configuration leaves unset. */
export const MANAGED_DEFAULTS: Readonly<Record<string, string>> = {
  // Room for a replica that falls a little behind to catch up without a new basebackup.
  wal_keep_size: '128MB',
  // A standby whose WAL stream broke (its primary crashed and restarted in place, or a
  // new primary took over) waits this long before it connects again. With Postgres's
  // 5 s the replicas came back seconds after a primary restarted in well under one;
  // 1 s costs, while no upstream answers, a connection attempt (and a restore_command
  // call) a second.
  wal_retrieve_retry_interval: '1s',
};

/** `file` with every managed default it does not set already (GUC names ignore case). */
export function withManagedDefaults(file: Readonly<Record<string, string>>): Record<string, string> {
  const named = new Set(Object.keys(file).map((k) => k.toLowerCase()));
  const out: Record<string, string> = { ...file };
  for (const [name, value] of Object.entries(MANAGED_DEFAULTS)) if (!named.has(name)) out[name] = value;
  return out;
}
