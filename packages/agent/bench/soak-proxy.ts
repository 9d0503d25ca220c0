/**
 * A TCP proxy that adds latency between agents and etcd: every chunk, in each direction,
 * waits a base delay plus random jitter, and now and then a spike raises the delay of
 * all traffic for a few seconds, like a slow disk or a busy network on the etcd side.
 * Order within a connection is kept (a chunk never overtakes the one before it), so
 * gRPC's HTTP/2 stream sees a slow link, not a broken one.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { now } from './clock.js';

export interface LatencyProfile {
  /** Added to every chunk. */
  readonly baseMs: number;
  /** Uniform random extra, 0..jitterMs. */
  readonly jitterMs: number;
  /** Mean time between spikes (exponentially distributed); 0 = no spikes. */
  readonly spikeEveryMs: number;
  /** A spike adds spikeMinMs..spikeMaxMs to every chunk while it lasts. */
  readonly spikeMinMs: number;
  readonly spikeMaxMs: number;
  /** How long a spike lasts, uniform in this range. */
  readonly spikeLastsMs: readonly [number, number];
}

export const SOAK_LATENCY: LatencyProfile = {
  baseMs: 2,
  jitterMs: 30,
  spikeEveryMs: 45_000,
  spikeMinMs: 200,
  spikeMaxMs: 900,
  spikeLastsMs: [1000, 4000],
};

export interface ProxyStats {
  readonly connections: number;
  readonly chunks: number;
  readonly spikes: number;
  readonly maxDelayMs: number;
}

export interface LatencyProxy {
  /** host:port to give the agents. */
  readonly address: string;
  stats(): ProxyStats;
  close(): Promise<void>;
}

const uniform = (lo: number, hi: number): number => lo + Math.random() * (hi - lo);

export async function startLatencyProxy(upstream: string, profile: LatencyProfile): Promise<LatencyProxy> {
  const [upHost, upPort] = splitHostPort(upstream);
  const sockets = new Set<Socket>();
  let connections = 0;
  let chunks = 0;
  let spikes = 0;
  let maxDelayMs = 0;
  let spike: { until: number; extraMs: number } | null = null;
  let spikeTimer: NodeJS.Timeout | null = null;

  const scheduleSpike = (): void => {
    if (profile.spikeEveryMs <= 0) return;
    const wait = -Math.log(1 - Math.random()) * profile.spikeEveryMs;
    spikeTimer = setTimeout(() => {
      spikes++;
      spike = { until: now() + uniform(...profile.spikeLastsMs), extraMs: uniform(profile.spikeMinMs, profile.spikeMaxMs) };
      scheduleSpike();
    }, wait);
    spikeTimer.unref();
  };
  const delayNow = (): number => {
    const extra = spike && now() < spike.until ? spike.extraMs : 0;
    const d = profile.baseMs + Math.random() * profile.jitterMs + extra;
    maxDelayMs = Math.max(maxDelayMs, d);
    return d;
  };

  /**
   * Forwards from → to, each chunk held for its delay but never released before the one
   * ahead of it: one queue and one timer per direction, since separate timers whose due
   * times are this close may fire out of order and corrupt the HTTP/2 stream.
   */
  const pipeDelayed = (from: Socket, to: Socket): void => {
    const queue: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | null = null;
    let ended = false;
    const release = (): void => {
      timer = null;
      while (queue.length > 0 && queue[0]!.due <= now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(release, Math.max(1, queue[0]!.due - now()));
      else if (ended) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      chunks++;
      queue.push({ due: Math.max(queue.at(-1)?.due ?? 0, now() + delayNow()), chunk });
      timer ??= setTimeout(release, Math.max(1, queue[0]!.due - now()));
    });
    from.on('end', () => {
      ended = true;
      timer ??= setTimeout(release, 0);
    });
    from.on('error', () => to.destroy());
    from.on('close', () => {
      if (queue.length === 0) to.destroy();
    });
  };

  const server: Server = createServer((client) => {
    connections++;
    const up = connect({ host: upHost, port: upPort });
    for (const s of [client, up]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipeDelayed(client, up);
    pipeDelayed(up, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  scheduleSpike();
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    stats: () => ({ connections, chunks, spikes, maxDelayMs }),
    close: async () => {
      if (spikeTimer) clearTimeout(spikeTimer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(':');
  const port = Number(hostPort.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) throw new Error(`upstream ${hostPort}: expected host:port`);
  return [hostPort.slice(0, i), port];
}
