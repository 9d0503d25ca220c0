import { runConformance } from '@pgwarden/core/testing';
import { startEtcd } from '@pgwarden/testkit';
import { Etcd3 } from 'etcd3';
import { dcsAdapter } from '../src/index.js';

runConformance({
  name: 'etcd 3.4, one member',
  module: dcsAdapter,
  server: async () => {
    const etcd = await startEtcd();
    const raw = new Etcd3({ hosts: [...etcd.endpoints] });
    const member = etcd.members[0]!;
    return {
      section: { hosts: etcd.hosts },
      readRaw: (path) => raw.get(path).string(),
      stop: () => member.stop(),
      start: () => member.start(),
      freeze: () => member.freeze(),
      thaw: () => member.thaw(),
      close: async () => (raw.close(), etcd.close()),
    };
  },
});
