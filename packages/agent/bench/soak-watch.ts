/**
 * What the soak counts, polled from outside the agents: the leader key read straight
 * from etcd (not through the latency proxy), each guard's report file, the agents'
 * fence warnings, agent exits, and the longest stretch without an acknowledged write.
 */
import { FENCE_WARNING, guardFires } from '../test/e2e/fence-probes.js';
import { SCOPE, type E2eCluster } from '../test/e2e/cluster.js';
import { now } from './clock.js';
import { leaderKey } from './lease.js';
import type { Writer } from './writer.js';

export interface SoakEvent {
  /** Seconds since the soak started. */
  readonly atS: number;
  readonly what: string;
}

export class SoakWatch {
  readonly events: SoakEvent[] = [];
  leaderChanges = 0;
  /** Polls that found no leader key (the lock expired or was released). */
  leaderlessPolls = 0;
  longestLeaderlessMs = 0;
  private leader: string | null = null;
  private leaderlessSince: number | null = null;
  private readonly fires: number[];
  private readonly warnings: number[];
  private readonly exited = new Set<string>();

  constructor(
    private readonly cluster: E2eCluster,
    private readonly started: number,
    initialLeader: string,
  ) {
    this.leader = initialLeader;
    this.fires = cluster.nodes.map((n) => guardFires(n));
    this.warnings = cluster.nodes.map((n) => n.output.match(FENCE_WARNING)?.length ?? 0);
  }

  private note(what: string): void {
    const atS = (now() - this.started) / 1000;
    this.events.push({ atS, what });
    process.stderr.write(`[soak +${atS.toFixed(0)}s] ${what}\n`);
  }

  get fenceFires(): number {
    return this.cluster.nodes.reduce((sum, n, i) => sum + guardFires(n) - this.fires[i]!, 0);
  }

  get fenceWarnings(): number {
    return this.cluster.nodes.reduce((sum, n, i) => sum + (n.output.match(FENCE_WARNING)?.length ?? 0) - this.warnings[i]!, 0);
  }

  get agentExits(): number {
    return this.exited.size;
  }

  async poll(): Promise<void> {
    const key = await leaderKey(this.cluster.etcd.hosts[0]!, `/service/${SCOPE}/leader`).catch(() => undefined);
    if (key === undefined) return; // etcd itself did not answer in time: no evidence either way
    const t = now();
    if (key === null) {
      this.leaderlessPolls++;
      if (this.leaderlessSince === null) {
        this.leaderlessSince = t;
        this.note(`leader key gone (was ${this.leader})`);
      }
    } else {
      if (this.leaderlessSince !== null) {
        this.longestLeaderlessMs = Math.max(this.longestLeaderlessMs, t - this.leaderlessSince);
        this.leaderlessSince = null;
      }
      if (key.value !== this.leader) {
        this.leaderChanges++;
        this.note(`leader changed: ${this.leader} → ${key.value}`);
        this.leader = key.value;
      }
    }
    for (const [i, n] of this.cluster.nodes.entries()) {
      if (n.process && n.process.exitCode !== null && !this.exited.has(n.name)) {
        this.exited.add(n.name);
        this.note(`agent ${n.name} exited with ${n.process.exitCode}`);
      }
      const fired = guardFires(n) - this.fires[i]!;
      if (fired > 0 && !this.events.some((e) => e.what.startsWith(`fence fired on ${n.name}`))) this.note(`fence fired on ${n.name}`);
    }
  }
}

/** What the leader last wrote about itself: its member key's role, and /status's optime. */
export interface LeaderKeys {
  readonly leader: string | null;
  readonly role: string | null;
  readonly optime: number | null;
}

/**
 * The leader's member key and /status, read straight from etcd. A leader that renews its
 * lock but cannot write anything else after the renewal (no time left in its cycle)
 * keeps the lock, so no other count sees it; these keys then keep what they said before.
 */
export async function leaderKeys(cluster: E2eCluster): Promise<LeaderKeys> {
  const host = cluster.etcd.hosts[0]!;
  const leader = (await leaderKey(host, `/service/${SCOPE}/leader`))?.value ?? null;
  const member = leader === null ? null : await leaderKey(host, `/service/${SCOPE}/members/${leader}`);
  const status = await leaderKey(host, `/service/${SCOPE}/status`);
  const field = (text: string | undefined, name: string): unknown => {
    try {
      return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>)[name];
    } catch {
      return undefined;
    }
  };
  const role = field(member?.value, 'role');
  const optime = field(status?.value, 'optime');
  return { leader, role: typeof role === 'string' ? role : null, optime: typeof optime === 'number' ? optime : null };
}

/** The leader's keys are current: its member key says primary, and /status moved while writes were acknowledged. */
export function leaderKeysCurrent(before: LeaderKeys, after: LeaderKeys): boolean {
  const primary = after.role === 'primary' || after.role === 'master';
  return primary && after.optime !== null && (before.optime === null || after.optime > before.optime);
}

/** The TTL etcd granted the leader's lease: shows the ttl the agents really run with. */
export async function leaderLeaseTtl(cluster: E2eCluster): Promise<number | null> {
  const host = cluster.etcd.hosts[0]!;
  const key = await leaderKey(host, `/service/${SCOPE}/leader`);
  if (!key || key.lease === '0') return null;
  const res = await fetch(`http://${host}/v3/lease/timetolive`, { method: 'POST', body: JSON.stringify({ ID: key.lease }), signal: AbortSignal.timeout(2000) });
  const doc = (await res.json()) as { grantedTTL?: string };
  return doc.grantedTTL === undefined ? null : Number(doc.grantedTTL);
}

/** "Loop time exceeded" warnings: HA cycles that overran loop_wait. */
export function overrunCycles(cluster: E2eCluster): number {
  return cluster.nodes.reduce((sum, n) => sum + (n.output.match(/Loop time exceeded/g)?.length ?? 0), 0);
}

/** The longest gap between consecutive acknowledged writes, over all writers merged. */
export function longestWriteGapMs(writers: readonly Writer[], from: number, to: number): number {
  const acks = writers.flatMap((w) => w.acks).filter((a) => a >= from && a <= to).sort((a, b) => a - b);
  let gap = 0;
  let prev = from;
  for (const a of [...acks, to]) {
    gap = Math.max(gap, a - prev);
    prev = a;
  }
  return gap;
}
