/**
 * The lease keepalive over its plain socket against a real etcd with authentication
 * enabled: it renews the lease (token in its header), and after etcd restarted, which
 * closed the idle socket, the next keepalive connects again and renews.
 */
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../src/gateway.js';
import { enableAuth } from './support/etcd-target.js';

const PASSWORD = 'Keep4live-xyz';
const options = () => ({ timeoutMs: 5000, signal: new AbortController().signal });

describe('lease keepalive over the plain socket, real etcd', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
    enableAuth(etcd, PASSWORD);
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('renews the lease, and again after etcd restarted', async () => {
    const gateway = new Gateway({ url: etcd.endpoints[0]!, credentials: { username: 'root', password: PASSWORD } });
    try {
      const granted = await gateway.call('/v3/lease/grant', { TTL: 30 }, options());
      const id = String(granted.ID);
      for (let i = 0; i < 3; i++) {
        expect(await gateway.callStream('/v3/lease/keepalive', { ID: id }, options())).toMatchObject({ ID: id, TTL: '30' });
      }
      // Leases survive etcd's restart; the socket the keepalives used does not.
      await etcd.members[0]!.stop();
      await etcd.members[0]!.start();
      expect(await gateway.callStream('/v3/lease/keepalive', { ID: id }, options())).toMatchObject({ ID: id, TTL: '30' });
    } finally {
      gateway.close();
    }
  });
});
