/** The DCS contract, against a real ZooKeeper 3.8 started by the testkit. */
import { runConformance } from '@pgwarden/core/testing';
import { startZooKeeper, type ZooKeeperServer } from '@pgwarden/testkit';
import { createClient } from 'node-zookeeper-client';
import { dcsAdapter, ZooKeeperDcs } from '../src/index.js';
import { rawClient } from './support.js';

runConformance({
  module: dcsAdapter,
  server: async () => {
    const zk = await startZooKeeper();
    const raw = await rawClient(zk);
    return {
      section: { hosts: [zk.connectString] },
      readRaw: (path) => raw.text(path),
      stop: () => zk.stop(),
      start: () => zk.start(),
      freeze: () => zk.freeze(),
      thaw: () => zk.thaw(),
      async expireSession(adapter) {
        if (!(adapter instanceof ZooKeeperDcs)) throw new Error('not a ZooKeeper client');
        const credentials = adapter.sessionCredentials();
        if (!credentials) throw new Error('the client has no live session to expire');
        await closeSessionFromOutside(adapter, zk, credentials);
      },
      close: async () => (await raw.close(), zk.close()),
    };
  },
});

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
