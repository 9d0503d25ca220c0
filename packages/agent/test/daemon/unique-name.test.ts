/**
 * The start-up check for a live agent with our name: any HTTP answer at the member's
 * api_url refuses the start; nobody listening, or nobody answering within the deadline,
 * lets it go on. Against real sockets on loopback.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Cluster } from '@pgwarden/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureUniqueName } from '../../src/daemon/unique-name.js';

const servers: (Server | TcpServer)[] = [];
const accepted: Socket[] = [];
afterEach(async () => {
  for (const socket of accepted.splice(0)) socket.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function clusterWith(name: string, apiUrl: string): Cluster {
  return { members: [{ name, data: { api_url: apiUrl } }] } as unknown as Cluster;
}

async function listening<S extends Server | TcpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('ensureUniqueName', () => {
  it('refuses to start when an agent answers at the api_url, whatever the status', async () => {
    let path = '';
    const port = await listening(
      createServer((req, res) => {
        path = req.url ?? '';
        res.writeHead(503).end();
      }),
    );
    await expect(ensureUniqueName(clusterWith('n1', `http://127.0.0.1:${port}/patroni`), 'n1')).rejects.toThrow(
      "Can't start; there is already a node named 'n1' running",
    );
    expect(path).toBe('/liveness');
  });

  it('starts when nobody listens there', async () => {
    const port = await listening(createTcpServer());
    await new Promise((r) => servers.pop()!.close(r)); // the port is free again: connections are refused
    await expect(ensureUniqueName(clusterWith('n1', `http://127.0.0.1:${port}/patroni`), 'n1')).resolves.toBeUndefined();
  });

  it('starts when the api_url accepts but never answers, within the deadline', async () => {
    const port = await listening(createTcpServer((socket) => accepted.push(socket)));
    const t0 = performance.now();
    await expect(ensureUniqueName(clusterWith('n1', `http://127.0.0.1:${port}/patroni`), 'n1', 300)).resolves.toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('ignores members with other names, and an api_url that is not a URL', async () => {
    await expect(ensureUniqueName(clusterWith('n2', 'http://127.0.0.1:1/patroni'), 'n1')).resolves.toBeUndefined();
    await expect(ensureUniqueName(clusterWith('n1', 'not a url'), 'n1')).resolves.toBeUndefined();
  });
});
