/**
 * A TCP forwarder that can add latency at run time: the kernel here has no netem, so
 * DCS and replication traffic goes through one of these. Each chunk is held for the
 * current delay and released in order.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface DelayProxy {
  readonly port: number;
  /** One-way delay added to every chunk in both directions; 0 forwards at once. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export interface DelayProxyOptions {
  readonly listenHost: string;
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** Source address of upstream connections (so a firewall can tell them apart). */
  readonly localAddress?: string;
}

/**
 * Forwards `from` → `to`, each chunk held until `delayMs()` after it arrived, strictly in
 * arrival order: one queue and one timer per direction. (A timer per chunk is not
 * enough: after the delay drops, a later chunk's timer can fire first, and a replication
 * stream delivered out of order leaves holes in a standby's WAL while it reports the
 * bytes after them as flushed.)
 */
function delayedPipe(from: Socket, to: Socket, delayMs: () => number): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let ended = false;
  const pump = (): void => {
    timer = null;
    while (queue.length && queue[0]!.at <= Date.now()) {
      const { chunk } = queue.shift()!;
      if (!to.destroyed) to.write(chunk);
    }
    if (queue.length) timer = setTimeout(pump, Math.max(1, queue[0]!.at - Date.now()));
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    const last = queue.length ? queue[queue.length - 1]!.at : 0;
    queue.push({ at: Math.max(last, Date.now() + delayMs()), chunk });
    if (!timer) pump();
  });
  from.on('end', () => {
    ended = true;
    if (!timer) pump();
  });
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  let delay = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: options.upstreamHost, port: options.upstreamPort, ...(options.localAddress && { localAddress: options.localAddress }) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
    }
    // Either side failing ends both, as a broken network path would.
    const both = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', both).on('close', both);
    upstream.on('error', both).on('close', both);
    delayedPipe(client, upstream, () => delay);
    delayedPipe(upstream, client, () => delay);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.listenHost, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('delay proxy: no TCP address');
  return {
    port: address.port,
    setDelay: (ms) => {
      delay = Math.max(0, ms);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
