/**
 * Free loopback ports. Other clusters may run on the default ports of every server we
 * start, so tests always draw a port and check it by listening on it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports are drawn below the kernel's ephemeral range (ip_local_port_range, where every
 * outgoing connection takes its local port). A port the kernel handed out with
 * listen(0) comes from that range, so a client connection made later by any process —
 * a test's writer, an agent's etcd or Postgres client — could take the same number
 * first, and the server started on it would fail with "address in use". Seen in CI:
 * a replica's Postgres could not start for 90 s.
 */
const DRAW_FLOOR = 10_000;

function ephemeralFloor(): number {
  try {
    const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0] ?? '', 10);
    return Number.isFinite(low) && low > DRAW_FLOOR + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function listenOn(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A port in [DRAW_FLOOR, ephemeral floor) that we could listen on; the server holds it. */
async function listen(): Promise<Server> {
  const ceiling = ephemeralFloor();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = DRAW_FLOOR + Math.floor(Math.random() * (ceiling - DRAW_FLOOR));
    const server = await listenOn(port);
    if (server) return server;
  }
  throw new Error(`no free port on 127.0.0.1 between ${DRAW_FLOOR} and ${ceiling} after 200 tries`);
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct free ports on 127.0.0.1. All are held open at once before any is
 * released, so the kernel cannot hand the same port out twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen());
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('could not read back a listening port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
