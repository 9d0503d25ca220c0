import type { PatroniKey, PatroniKeySection } from './types.js';

/** Shorthands for writing the tables: one group, one status, many paths. */
export function keysOf(section: PatroniKeySection) {
  return {
    used: (group: string, ...paths: string[]): PatroniKey[] => paths.map((path) => ({ path, section, group, status: 'used' })),
    warned: (group: string, reason: string, ...paths: string[]): PatroniKey[] =>
      paths.map((path) => ({ path, section, group, status: 'warned', reason })),
    refused: (group: string, reason: string, ...paths: string[]): PatroniKey[] =>
      paths.map((path) => ({ path, section, group, status: 'refused', reason })),
  };
}

/** The libpq settings a user entry of postgresql.authentication may carry, as Patroni 4.1 lists them. */
export const USER_CONNECTION_KEYS = [
  'username',
  'password',
  'sslmode',
  'sslkey',
  'sslpassword',
  'sslcert',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslnegotiation',
  'gssencmode',
  'channel_binding',
] as const;

export const POSTGRES_USERS = ['superuser', 'replication', 'rewind'] as const;
