/**
 * A tiny TCP forwarder on a free loopback port, standing in for the VIP or HAProxy a
 * standby cluster points its `standby_cluster.host/port` at: every new connection goes
 * to the port `target()` names at that moment, so a failover in the source cluster only
 * needs the test to change the target.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpForwarder {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(target: () => number): Promise<TcpForwarder> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: target() });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).on('error', () => undefined);
      upstream.pipe(client).on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the forwarder has no TCP port');
    return new TcpForwarder(server, sockets, address.port);
  }

  /** Cuts every open connection (a walreceiver then reconnects to the new target). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
