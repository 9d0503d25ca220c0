/**
 * Redis with Sentinel for tests: one master, one replica and three sentinels (quorum 2)
 * on free loopback ports, with short timeouts so a failover takes about a second.
 * `failover()` asks a sentinel for a manual failover (SENTINEL FAILOVER) and waits until
 * every sentinel names the new master and it accepts writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { delay, onProcessExit } from './process.js';
import { RedisProcess, redisServerBinary, startRedis, type RedisServer } from './redis.js';
import { redisCommand, type RespValue } from './redis-resp.js';

export const SENTINEL_MASTER_NAME = 'pgwarden';

export interface StartRedisSentinelOptions {
  /** The master group name the sentinels monitor. Default `pgwarden`. */
  readonly masterName?: string;
  /** Sentinel's down-after-milliseconds. Default 1000. */
  readonly downAfterMs?: number;
  /** How long to wait for the group to form. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

export interface RedisSentinelGroup {
  readonly masterName: string;
  /** The two data servers; which one is master changes with failovers. */
  readonly servers: readonly RedisServer[];
  readonly sentinels: readonly RedisServer[];
  /** `127.0.0.1:<port>` of each sentinel. */
  readonly sentinelAddresses: readonly string[];
  /** The server the sentinels name as master now. */
  master(): Promise<RedisServer>;
  /**
   * SENTINEL FAILOVER, then waits until all sentinels agree on the other server and it
   * answers ROLE as master. Returns the new master.
   */
  failover(timeoutMs?: number): Promise<RedisServer>;
  /** Stops everything and removes the directories. */
  close(): Promise<void>;
}


async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

function asPairs(reply: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

export async function startRedisSentinel(options: StartRedisSentinelOptions = {}): Promise<RedisSentinelGroup> {
  const binary = redisServerBinary();
  const name = options.masterName ?? SENTINEL_MASTER_NAME;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const started: RedisServer[] = [];
  const sentinelDirs: string[] = [];
  try {
    const master = await startRedis();
    started.push(master);
    const replica = await startRedis({ args: ['--replicaof', master.host, String(master.port)] });
    started.push(replica);
    await waitUntil('the replica to sync with the master', readyTimeoutMs, async () => {
      const info = String(await redisCommand(replica.port, ['INFO', 'replication']));
      return /master_link_status:up/.test(info);
    });

    const ports = await freePorts(3);
    const sentinels: RedisServer[] = [];
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), 'pgwarden-sentinel-'));
      sentinelDirs.push(dir);
      const forget = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
      const config = join(dir, 'sentinel.conf');
      // Sentinel rewrites this file as it learns the topology, so it lives in its own directory.
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} ${master.host} ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = new RedisProcess(binary, dir, port, {}, forget, [config, '--sentinel']);
      await sentinel.start();
      sentinels.push(sentinel);
      started.push(sentinel);
    }
    await waitUntil('every sentinel to see the replica and the two other sentinels', readyTimeoutMs, async () => {
      for (const s of sentinels) {
        const replicas = await redisCommand(s.port, ['SENTINEL', 'REPLICAS', name]);
        const peers = await redisCommand(s.port, ['SENTINEL', 'SENTINELS', name]);
        if (!Array.isArray(replicas) || replicas.length !== 1 || !Array.isArray(peers) || peers.length !== 2) return false;
        const flags = asPairs(replicas[0]!).flags ?? '';
        if (flags.includes('down') || flags.includes('disconnected')) return false;
      }
      return true;
    });
    return new SentinelGroup(name, [master, replica], sentinels, sentinelDirs);
  } catch (error) {
    for (const server of started.reverse()) await server.close().catch(() => undefined);
    for (const dir of sentinelDirs) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

class SentinelGroup implements RedisSentinelGroup {
  constructor(
    readonly masterName: string,
    readonly servers: readonly RedisServer[],
    readonly sentinels: readonly RedisServer[],
    private readonly dirs: readonly string[],
  ) {}

  get sentinelAddresses(): string[] {
    return this.sentinels.map((s) => s.address);
  }

  private async masterPort(sentinel: RedisServer): Promise<number> {
    const reply = await redisCommand(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName]);
    return Array.isArray(reply) ? Number(reply[1]) : NaN;
  }

  async master(): Promise<RedisServer> {
    for (const sentinel of this.sentinels) {
      const port = await this.masterPort(sentinel).catch(() => NaN);
      const server = this.servers.find((s) => s.port === port);
      if (server) return server;
    }
    throw new Error(`no sentinel names a master for ${this.masterName}`);
  }

  async failover(timeoutMs = 60_000): Promise<RedisServer> {
    const old = await this.master();
    const next = this.servers.find((s) => s !== old)!;
    // NOGOODSLAVE while the replica has not been seen healthy lately: ask again.
    await waitUntil('a sentinel to accept SENTINEL FAILOVER', timeoutMs, async () => {
      await redisCommand(this.sentinels[0]!.port, ['SENTINEL', 'FAILOVER', this.masterName]);
      return true;
    });
    await waitUntil(`every sentinel to name ${next.address} as master`, timeoutMs, async () => {
      for (const sentinel of this.sentinels) if ((await this.masterPort(sentinel)) !== next.port) return false;
      const role = await redisCommand(next.port, ['ROLE']);
      return Array.isArray(role) && role[0] === 'master';
    });
    return next;
  }

  async close(): Promise<void> {
    for (const sentinel of this.sentinels) await sentinel.close().catch(() => undefined);
    for (const server of this.servers) await server.close().catch(() => undefined);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

