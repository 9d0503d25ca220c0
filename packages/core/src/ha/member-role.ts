/**
 * How this node names the primary role in its member key. Patroni writes `master` up to
 * 3.3.x and `primary` from 4.0.0 on; patronictl before 4.0 finds the leader of a
 * `--leader`/`switchover` only when its role says `master` (it takes anything else for a
 * standby leader). So while any Patroni older than 4.0 is a member, pgwarden writes
 * `master` too; in a cluster of pgwarden and Patroni 4+ nodes, `primary`.
 */
import type { Member } from '../dcs/cluster.js';
import { compareVersions, parseVersion } from '../dcs/cluster.js';

/** The first Patroni release that writes `primary` into member keys. */
const PRIMARY_SINCE = [4, 0, 0];

/** A member key written by pgwarden says so (`pgwarden_version`); its `version` is the protocol it speaks. */
export function isPgwardenMember(m: Member): boolean {
  return typeof m.data.pgwarden_version === 'string';
}

export function primaryRoleName(members: readonly Member[] | null): 'master' | 'primary' {
  // Not knowing the members: `master` is the one name every Patroni version reads.
  if (!members) return 'master';
  for (const m of members) {
    if (isPgwardenMember(m)) continue;
    const v = parseVersion(m.data.version);
    if (v && compareVersions(v, PRIMARY_SINCE) < 0) return 'master';
  }
  return 'primary';
}

/** The role as written into the member key: `primary` renamed for older Patroni readers. */
export function memberKeyRole(role: string, members: readonly Member[] | null): string {
  return role === 'primary' ? primaryRoleName(members) : role;
}
