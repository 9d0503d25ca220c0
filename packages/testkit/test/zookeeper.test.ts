import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fourLetterWord, startZooKeeper, type ZooKeeperServer } from '../src/zookeeper.js';

describe('startZooKeeper', () => {
  let zk: ZooKeeperServer | undefined;
  afterAll(async () => {
    await zk?.close();
  });

  it('starts a standalone server on a free loopback port that answers imok', async () => {
    zk = await startZooKeeper();
    expect(zk.connectString).toBe(`127.0.0.1:${zk.port}`);
    expect(await fourLetterWord(zk.host, zk.port, 'ruok')).toBe('imok');
    // The session-timeout bounds the adapter's tests rely on.
    const conf = await fourLetterWord(zk.host, zk.port, 'srvr');
    expect(conf).toMatch(/Zookeeper version: 3\.8/);
  });

  it('freezes and thaws, stops and starts again on the same port', async () => {
    const server = zk!;
    await server.freeze();
    await expect(fourLetterWord(server.host, server.port, 'ruok', 500)).rejects.toThrow(/no answer/);
    await server.thaw();
    expect(await fourLetterWord(server.host, server.port, 'ruok')).toBe('imok');
    const pid = server.pid;
    await server.stop();
    expect(server.pid).toBeNull();
    expect(() => process.kill(pid!, 0)).toThrow();
    await expect(fourLetterWord(server.host, server.port, 'ruok', 500)).rejects.toThrow();
    await server.start();
    expect(await fourLetterWord(server.host, server.port, 'ruok')).toBe('imok');
  });

  it('removes its temporary directory on close', async () => {
    const server = zk!;
    zk = undefined;
    await server.close();
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it('fails with the install command when ZooKeeper is missing', async () => {
    await expect(startZooKeeper({ jar: '/nonexistent/zookeeper.jar' })).rejects.toThrow(/apt-get install -y .*zookeeper/);
    await expect(startZooKeeper({ java: 'no-such-java-binary' })).rejects.toThrow(/apt-get install -y .*zookeeper/);
  });
});
