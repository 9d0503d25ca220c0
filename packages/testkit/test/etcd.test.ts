import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETCD_INSTALL_HINT, freePorts, startEtcd, type EtcdCluster } from '../src/index.js';

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function health(url: string): Promise<string> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
  return response.text();
}

describe('freePorts', () => {
  it('returns distinct ports that can be bound', async () => {
    const ports = await freePorts(6);
    expect(new Set(ports).size).toBe(6);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });
});

describe('startEtcd, one member', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('answers /health on a free loopback port', async () => {
    expect(etcd.endpoints).toHaveLength(1);
    expect(etcd.endpoints[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(etcd.hosts[0]).toBe(etcd.endpoints[0]!.replace('http://', ''));
    expect(JSON.parse(await health(etcd.endpoints[0]!))).toEqual({ health: 'true' });
  });

  it('stores data that survives stop and start', async () => {
    const endpoint = etcd.endpoints[0]!;
    execFileSync('etcdctl', ['--endpoints', endpoint, 'put', '/k', 'v']);
    const member = etcd.members[0]!;
    const pid = member.pid!;
    await member.stop();
    expect(member.running).toBe(false);
    expect(processExists(pid)).toBe(false);
    await member.start();
    expect(member.pid).not.toBe(pid);
    expect(execFileSync('etcdctl', ['--endpoints', endpoint, 'get', '--print-value-only', '/k']).toString().trim()).toBe('v');
  });

  it('freezes and thaws', async () => {
    const member = etcd.members[0]!;
    await member.freeze();
    await expect(health(member.clientUrl)).rejects.toThrow();
    await member.thaw();
    expect(JSON.parse(await health(member.clientUrl))).toEqual({ health: 'true' });
  });

  it('finds the raft leader', async () => {
    expect(await etcd.leader()).toBe(etcd.members[0]);
  });
});

describe('startEtcd, three members', () => {
  it('starts a cluster with a leader, survives a killed leader, and close() leaves no process or directory', async () => {
    const etcd = await startEtcd({ members: 3 });
    const pids = etcd.members.map((m) => m.pid!);
    const dirs = etcd.members.map((m) => m.dataDir);
    try {
      expect(new Set(etcd.endpoints).size).toBe(3);
      const leader = await etcd.leader();
      await leader.kill();
      expect(leader.running).toBe(false);
      const next = await etcd.leader();
      expect(next).not.toBe(leader);
      expect(next.running).toBe(true);
    } finally {
      await etcd.close();
    }
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });
});

describe('a missing etcd binary', () => {
  it('fails with the install command', async () => {
    await expect(startEtcd({ path: '/nonexistent' })).rejects.toThrow(ETCD_INSTALL_HINT);
    await expect(startEtcd({ binary: '/nonexistent/etcd' })).rejects.toThrow(/apt-get install -y etcd-server etcd-client/);
  });
});
