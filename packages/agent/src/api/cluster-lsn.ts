/**
 * The WAL positions Patroni 4.1 adds to each non-leader member of `GET /cluster`:
 * `receive_lsn`/`receive_lag`, `replay_lsn`/`replay_lag` and `lsn`/`lag`, each position
 * written as Postgres prints an LSN (`0/3000060`) and each lag in bytes behind the
 * leader's last reported LSN (0 when ahead, `unknown` when the member did not report it).
 * Positions come from the member keys (`receive_lsn`, `replay_lsn`, `xlog_location`).
 */
import { parsePatroniInt, type Cluster } from '@pgwarden/core';

/** `0/3000060`: the high and low 32 bits in upper-case hex, as pg_lsn prints. */
export function formatLsn(lsn: number): string {
  const high = Math.floor(lsn / 2 ** 32);
  const low = lsn - high * 2 ** 32;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}

const POSITIONS = [
  ['receive_', 'receive_lsn'],
  ['replay_', 'replay_lsn'],
  ['', 'xlog_location'],
] as const;

/** Adds the fields to a member's JSON in Patroni 4.1's key order (replacing the older `lag`). */
export function addLsnFields(member: Record<string, unknown>, data: Readonly<Record<string, unknown>>, clusterLsn: number): void {
  delete member['lag'];
  for (const [prefix, key] of POSITIONS) {
    const lsn = parsePatroniInt(data[key]);
    if (!lsn) {
      member[`${prefix}lsn`] = 'unknown';
      member[`${prefix}lag`] = 'unknown';
    } else {
      member[`${prefix}lag`] = Math.max(0, clusterLsn - lsn);
      member[`${prefix}lsn`] = formatLsn(lsn);
    }
  }
}

/** The `/cluster` body with every non-leader member's positions added. */
export function withLsnFields(body: Record<string, unknown>, cluster: Cluster): Record<string, unknown> {
  const leader = cluster.leader?.name ?? null;
  const clusterLsn = cluster.status.lastLsn || 0;
  const members = Array.isArray(body['members']) ? (body['members'] as Record<string, unknown>[]) : [];
  for (const member of members) {
    if (member['name'] === leader) continue;
    const found = cluster.members.find((m) => m.name === member['name']);
    addLsnFields(member, (found?.data ?? {}) as Readonly<Record<string, unknown>>, clusterLsn);
  }
  return body;
}
