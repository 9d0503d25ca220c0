/**
 * The latency proxy on real loopback sockets: bytes come out in the order they went in
 * while the delay changes under them (a reordered replication stream once made a
 * standby confirm WAL it did not have), and a delay is really added.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from '../../chaos/delay-proxy.js';

let echo: Server;
let proxy: DelayProxy;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const port = (echo.address() as { port: number }).port;
  proxy = await startDelayProxy({ listenHost: '127.0.0.1', upstreamHost: '127.0.0.1', upstreamPort: port });
});

afterAll(async () => {
  await proxy.close();
  await new Promise<void>((r) => echo.close(() => r()));
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: proxy.port }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('chaos delay proxy', () => {
  it('keeps the byte order while the delay rises and falls', async () => {
    const s = await open();
    const received: Buffer[] = [];
    s.on('data', (c: Buffer) => received.push(c));
    const count = 600;
    for (let i = 0; i < count; i++) {
      // Delay steps down from 60 ms to 0 and back, many times, with writes in between.
      if (i % 20 === 0) proxy.setDelay([60, 0, 25, 0, 5][(i / 20) % 5]!);
      const b = Buffer.alloc(4);
      b.writeUInt32BE(i);
      s.write(b);
      if (i % 3 === 0) await sleep(1);
    }
    proxy.setDelay(0);
    const deadline = Date.now() + 10_000;
    while (Buffer.concat(received).length < count * 4 && Date.now() < deadline) await sleep(20);
    s.destroy();
    const all = Buffer.concat(received);
    expect(all.length).toBe(count * 4);
    const seq = Array.from({ length: count }, (_, i) => all.readUInt32BE(i * 4));
    expect(seq).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('adds the delay each way', async () => {
    proxy.setDelay(100);
    const s = await open();
    const started = Date.now();
    const back = new Promise<void>((r) => s.once('data', () => r()));
    s.write('x');
    await back;
    s.destroy();
    proxy.setDelay(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
