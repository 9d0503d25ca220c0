import { runConformance } from '@pgwarden/core/testing';
import { startEtcd } from '@pgwarden/testkit';
import { dcsAdapter } from '../src/index.js';
import { RawEtcd } from './support/raw-etcd.js';

runConformance({
  name: 'etcd 3.4, one member',
  module: dcsAdapter,
  server: async () => {
    const etcd = await startEtcd();
    const raw = new RawEtcd(etcd.endpoints);
    const member = etcd.members[0]!;
    return {
      section: { hosts: etcd.hosts },
      readRaw: (path) => raw.get(path),
      stop: () => member.stop(),
      start: () => member.start(),
      freeze: () => member.freeze(),
      thaw: () => member.thaw(),
      close: async () => (raw.close(), etcd.close()),
    };
  },
});
