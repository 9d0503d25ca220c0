/**
 * ZooKeeper's 64-bit fields (session ids, ephemeralOwner, zxids) arrive as 8-byte
 * buffers; pgwarden carries them as decimal strings, the way ZooKeeper's tools and
 * Patroni (kazoo gives Python ints) show them.
 */
import type { RawEntry } from '@pgwarden/core';
import type { Stat } from 'node-zookeeper-client';

export function int64ToString(buffer: Buffer): string {
  return buffer.length === 8 ? buffer.readBigInt64BE(0).toString() : '0';
}

/** The owning session of an ephemeral znode, or null for a persistent one. */
export function ownerOf(stat: Stat): string | null {
  const owner = int64ToString(stat.ephemeralOwner);
  return owner === '0' ? null : owner;
}

export function mzxidOf(stat: Stat): string {
  return int64ToString(stat.mzxid);
}

/**
 * A znode as core's RawEntry. `version` is the znode version (what CAS compares), except
 * for `history`, whose version is its mzxid as in Patroni. `config` also carries its
 * mzxid as `modifyVersion`: znode versions restart at 0 when a node is re-created, so
 * only the zxid tells a new value from an old one (spec/dcs.md §1.2).
 */
export function toRawEntry(key: string, value: string, stat: Stat): RawEntry {
  const session = ownerOf(stat);
  if (key === 'history') return { key, value, version: mzxidOf(stat), session };
  if (key === 'config') return { key, value, version: String(stat.version), session, modifyVersion: mzxidOf(stat) };
  return { key, value, version: String(stat.version), session };
}
