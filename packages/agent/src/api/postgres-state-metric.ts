/**
 * `patroni_postgres_state` (Patroni 4.1): the Postgres state as a number, so it can be
 * graphed and alerted on. The numbers are fixed by Patroni and never change; the HELP
 * block carries a `# Values:` line naming each one. A state Patroni has no number for
 * (`unknown`) is -1.
 */
export const POSTGRES_STATE_INDEX: readonly (readonly [number, string, string])[] = [
  [0, 'initdb', 'initializing new cluster'],
  [1, 'initdb_failed', 'initdb failed'],
  [2, 'custom_bootstrap', 'running custom bootstrap script'],
  [3, 'custom_bootstrap_failed', 'custom bootstrap failed'],
  [4, 'creating_replica', 'creating replica'],
  [5, 'running', 'running'],
  [6, 'starting', 'starting'],
  [7, 'bootstrap_starting', 'starting after custom bootstrap'],
  [8, 'start_failed', 'start failed'],
  [9, 'restarting', 'restarting'],
  [10, 'restart_failed', 'restart failed'],
  [11, 'stopping', 'stopping'],
  [12, 'stopped', 'stopped'],
  [13, 'stop_failed', 'stop failed'],
  [14, 'crashed', 'crashed'],
];

export function postgresStateValue(state: string): number {
  return POSTGRES_STATE_INDEX.find(([, , text]) => text === state)?.[0] ?? -1;
}

/** The `# Values: 0=initdb, 1=initdb_failed, …` line printed between HELP and TYPE. */
export const POSTGRES_STATE_VALUES_LINE = `# Values: ${POSTGRES_STATE_INDEX.map(([index, name]) => `${index}=${name}`).join(', ')}`;
