/**
 * The agent as the systemd unit runs it (packages/agent/systemd/pgwarden.service):
 * Type=notify with NOTIFY_SOCKET pointing at a real unix datagram socket, and
 * KillMode=process, where a crashed or restarted agent leaves Postgres running.
 * READY=1 must come only once the first HA cycle has run — not while the agent still
 * waits for the DCS — and a new agent must adopt the postmaster the old one left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, findExecutable } from '@pgwarden/testkit';
import { api } from './api.js';
import { AGENT_BIN, E2eCluster, SCOPE, sleep, waitFor } from './cluster.js';
import { etcdGetWithLease } from './requests.js';
import { listenNotifySocket, type NotifySocket } from './systemd-notify-socket.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const readyMessages = (socket: NotifySocket) => socket.messages.filter((m) => m.fields.READY === '1');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('pgwarden under systemd (Type=notify, KillMode=process)', () => {
  let socket: NotifySocket;
  let cluster: E2eCluster;

  const readyFrom = (agentPid: number | undefined) => readyMessages(socket).filter((m) => m.fields.MAINPID === String(agentPid));

  beforeAll(async () => {
    if (!findExecutable('systemd-notify')) throw new Error('systemd-notify is missing: apt-get install -y systemd');
    socket = await listenNotifySocket();
    // As the unit starts it: NOTIFY_SOCKET in the environment, the agent as the main process.
    cluster = await E2eCluster.create({
      label: 'systemd-service',
      nodes: 2,
      agentCommand: ['/usr/bin/env', `NOTIFY_SOCKET=${socket.path}`, process.execPath, AGENT_BIN],
    });
  });

  afterAll(async () => {
    await cluster?.close();
    socket?.close();
  });

  it('sends READY=1 with its own PID only after the first HA cycle, not while it waits for the DCS', async () => {
    const etcd = cluster.etcd.members[0]!;
    await etcd.stop();
    const agents = cluster.nodes.map((n) => cluster.start(n));
    for (const n of cluster.nodes) await waitFor(`${n.name} waiting for etcd`, () => n.output.includes('Waiting on'), 30_000);
    await sleep(3000);
    expect(readyMessages(socket), tails(cluster)).toEqual([]);

    const dcsBackAt = Date.now();
    await etcd.start();
    for (const [i, n] of cluster.nodes.entries()) {
      const ready = await waitFor(`READY=1 from ${n.name}`, () => readyFrom(agents[i]!.pid)[0], 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${JSON.stringify(socket.messages)}\n${tails(cluster)}`);
      });
      expect(ready.at).toBeGreaterThan(dcsBackAt);
      expect(readyFrom(agents[i]!.pid)).toHaveLength(1);
      // The agent's own log: the loop's first line (one per cycle) comes between its start and telling systemd.
      const lines = n.output.split('\n');
      const started = lines.findIndex((l) => l.includes('Starting pgwarden'));
      const told = lines.findIndex((l) => l.includes('Told systemd: ready'));
      expect(started, tails(cluster)).toBeGreaterThanOrEqual(0);
      expect(told - started, tails(cluster)).toBeGreaterThan(1);
    }
    const primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
  });

  it('a SIGKILLed agent leaves its Postgres running; the next one adopts that postmaster', async () => {
    const primary = await waitForPrimary(cluster);
    const replica = cluster.nodes.find((n) => n !== primary)!;
    const postmaster = cluster.postmasterPid(replica);
    expect(postmaster).not.toBeNull();
    const old = replica.process!;
    process.kill(old.pid!, 'SIGKILL'); // what a crash leaves, and what KillMode=process keeps on a restart
    await exited(old);
    expect(alive(postmaster!)).toBe(true);

    const agent = cluster.start(replica);
    await waitFor('READY=1 from the new agent', () => readyFrom(agent.pid)[0], 60_000);
    await waitFor('/replica answers 200 from the new agent', async () => (await api(replica, '/replica')).status === 200, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    await waitForStreaming(cluster, primary, [replica]);
    expect(cluster.postmasterPid(replica), tails(cluster)).toBe(postmaster);
    expect(alive(postmaster!)).toBe(true);
    expect(replica.output).not.toMatch(/starting as a secondary|Demoting self/);
  });

  it("a SIGKILLed primary's agent: the next one takes the leader key back by name and keeps that postmaster writable", async () => {
    const primary = await waitForPrimary(cluster);
    const postmaster = cluster.postmasterPid(primary);
    expect(postmaster).not.toBeNull();
    const leaderKey = `/service/${SCOPE}/leader`;
    const before = await etcdGetWithLease(cluster.etcd.hosts, leaderKey);
    expect(before?.value).toBe(primary.name);
    const old = primary.process!;
    const logBefore = primary.output.length;
    process.kill(old.pid!, 'SIGKILL');
    await exited(old);
    expect(alive(postmaster!)).toBe(true);

    const agent = cluster.start(primary);
    await waitFor('READY=1 from the new agent', () => readyFrom(agent.pid)[0], 60_000);
    await waitFor('/primary answers 200 from the new agent', async () => (await api(primary, '/primary')).status === 200, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    // The key moved to the new agent's lease: the dead agent's lease can expire without it.
    const after = await etcdGetWithLease(cluster.etcd.hosts, leaderKey);
    expect(after?.value, tails(cluster)).toBe(primary.name);
    expect(after?.lease, tails(cluster)).not.toBe(before!.lease);
    expect((await api(primary, '/primary')).status, tails(cluster)).toBe(200);
    expect(cluster.postmasterPid(primary), tails(cluster)).toBe(postmaster);
    expect(primary.output.slice(logBefore)).not.toMatch(/Demoting self|starting as a secondary|fence: stopp/);
  });

  it('sends STOPPING=1 when SIGTERM starts the shutdown', async () => {
    const node = cluster.nodes.find((n) => n.process && n.process.exitCode === null && n.process.signalCode === null);
    expect(node, 'a running agent').toBeDefined();
    expect(socket.messages.filter((m) => m.fields.STOPPING === '1')).toEqual([]);
    expect(await cluster.stop(node!)).toBe(0);
    expect(socket.messages.filter((m) => m.fields.STOPPING === '1'), JSON.stringify(socket.messages)).toHaveLength(1);
    expect(node!.output).toContain('Told systemd: stopping');
  });
});
