/** The DCS contract, against a real ZooKeeper 3.8 started by the testkit. */
import { silentLogger } from '@pgwarden/core';
import { describeDcsConformance, type ConformanceClient, type ConformanceFactory } from '@pgwarden/core/testing';
import { startZooKeeper, type ZooKeeperServer } from '@pgwarden/testkit';
import { createClient } from 'node-zookeeper-client';
import { ZOOKEEPER_CAPABILITIES, ZooKeeperDcs } from '../src/adapter.js';
import { rawClient, section, type RawZk } from './support.js';

let zk: ZooKeeperServer | undefined;
let raw: RawZk | undefined;

const factory: ConformanceFactory = {
  async setup() {
    const server = await startZooKeeper();
    zk = server;
    const plain = await rawClient(server);
    raw = plain;
    return {
      leadingSlash: true,
      server,
      async connect(options): Promise<ConformanceClient> {
        const adapter = await ZooKeeperDcs.create({ ...options, section: section(server), logger: silentLogger });
        return { adapter, abandon: async () => adapter.abandon() };
      },
      readRaw: (path) => plain.text(path),
      writeRaw: (path, value) => plain.put(path, value),
      async expireSession(client) {
        if (!(client.adapter instanceof ZooKeeperDcs)) throw new Error('not a ZooKeeper client');
        const credentials = client.adapter.sessionCredentials();
        if (!credentials) throw new Error('the client has no live session to expire');
        await closeSessionFromOutside(client.adapter, server, credentials);
      },
    };
  },
  async teardown() {
    await raw?.close();
    await zk?.close();
  },
};

/**
 * ZooKeeper's way to end someone else's session: connect with its id and password
 * (the server moves the session to this connection), then close it. The owner's
 * client may grab the session back in between (it reconnects at once), so repeat until
 * the server says the session is gone; then make the owner reconnect, as it would when
 * the server drops an expired session's connection.
 */
async function closeSessionFromOutside(adapter: ZooKeeperDcs, server: ZooKeeperServer, credentials: { id: Buffer; password: Buffer }): Promise<void> {
  for (let round = 0; round < 20; round++) {
    // sessionId/sessionPassword are honoured by the client but missing from its types.
    const options = { sessionTimeout: 5000, spinDelay: 100, retries: 0, sessionId: credentials.id, sessionPassword: credentials.password };
    const thief = createClient(server.connectString, options);
    const outcome = await new Promise<'connected' | 'expired'>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('could not reach the server to take the session over')), 5000);
      thief.once('connected', () => {
        clearTimeout(timer);
        resolve('connected');
      });
      thief.once('expired', () => {
        clearTimeout(timer);
        resolve('expired');
      });
      thief.connect();
    });
    if (outcome === 'connected') {
      await new Promise<void>((resolve) => {
        thief.once('disconnected', () => resolve());
        thief.close();
      });
    } else {
      thief.close();
    }
    adapter.reconnect();
    if (outcome === 'expired') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the session survived 20 attempts to close it');
}

describeDcsConformance('zookeeper', factory, ZOOKEEPER_CAPABILITIES);
