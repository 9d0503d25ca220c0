/**
 * Three agents on one etcd bootstrap into one leader and two streaming replicas; the
 * REST API reports the same picture as Postgres does. Then the daemon's own duties:
 * Patroni's log lines, SIGTERM's shutdown sequence, SIGHUP, and the unique-name check.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { join } from 'node:path';
import { AGENT_BIN, E2eCluster, psql, sleep, waitFor, type AgentNode } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

describe('pgwarden e2e: bootstrap of three nodes', () => {
  let cluster: E2eCluster;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'bootstrap', nodes: 3 });
    for (const n of cluster.nodes) cluster.start(n);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('elects one leader; the two others stream from it', async () => {
    const primary = await waitForPrimary(cluster);
    const replicas = cluster.nodes.filter((n) => n !== primary);
    await waitForStreaming(cluster, primary, replicas);

    const leaderStatus = await patroni(primary);
    expect(leaderStatus).toMatchObject({ state: 'running', role: 'primary', patroni: { scope: 'e2e', name: primary.name } });
    expect(leaderStatus?.cluster_unlocked).toBeUndefined();
    // Tags as Patroni filters them: a false built-in is left out, custom ones are shown.
    expect(leaderStatus?.tags).toEqual({ zone: `${primary.name}-zone` });
    for (const r of replicas) {
      const s = await waitFor(`${r.name} reports streaming`, async () => {
        const st = await patroni(r);
        return st?.replication_state === 'streaming' ? st : null;
      });
      expect(s).toMatchObject({ state: 'running', role: 'replica' });
      expect(psql(r, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
    }
    // The fence (core's guard process) is armed on the primary only.
    await waitFor('the fence armed on the primary', () => fenceState(primary).startsWith('armed '), 10_000);
    for (const r of replicas) expect(fenceState(r)).toMatch(/^disarmed /);

    // Exactly one node claims the leader endpoint.
    const leaders = await Promise.all(cluster.nodes.map(async (n) => (await api(n, '/leader')).status));
    expect(leaders.filter((s) => s === 200)).toHaveLength(1);

    // A row written on the primary reaches both replicas.
    psql(primary, 'CREATE TABLE e2e_boot(id int primary key); INSERT INTO e2e_boot VALUES (1)');
    for (const r of replicas) await waitFor(`row on ${r.name}`, () => psql(r, 'SELECT count(*) FROM e2e_boot')[0] === '1', 20_000);

    // /cluster lists the three members with one leader.
    const members = (await api(primary, '/cluster')).json<{ members: { name: string; role: string }[] }>().members;
    expect(members.map((m) => m.name).sort()).toEqual(['node1', 'node2', 'node3']);
    expect(members.filter((m) => m.role === 'leader').map((m) => m.name)).toEqual([primary.name]);
  });

  it('logs one line per loop in Patroni wording', () => {
    const text = cluster.nodes.map((n) => n.output).join('\n');
    expect(text, tails(cluster)).toMatch(/INFO: no action\. I am \(node\d\), the leader with the lock/);
    expect(text).toMatch(/INFO: no action\. I am \(node\d\), a secondary, and following a leader \(node\d\)/);
  });

  it('SIGTERM on the leader: Postgres stops, the lock is released, a replica takes over well before ttl', async () => {
    const leader = await waitForPrimary(cluster);
    const others = cluster.nodes.filter((n) => n !== leader);
    const pid = cluster.postmasterPid(leader);
    const stoppedAt = Date.now();
    expect(await cluster.stop(leader)).toBe(0);
    // The postmaster is gone and the data directory was shut down cleanly.
    expect(pid).not.toBeNull();
    expect(alive(pid!)).toBe(false);
    expect(cluster.postmasterPid(leader)).toBeNull();
    const next = await waitForPrimary(cluster, others, 30_000);
    // Released lock, not an expired one: ttl is 20 s.
    expect((Date.now() - stoppedAt) / 1000, tails(cluster)).toBeLessThan(15);
    const members = (await api(next, '/cluster')).json<{ members: { name: string }[] }>().members.map((m) => m.name);
    expect(members).not.toContain(leader.name);
    expect(leader.output).toMatch(/Leader key released/);
    // A clean shutdown ends the fence's guard without it touching anything.
    expect(fenceState(leader)).toBe('exit');
    const guardPid = Number(readFileSync(join(leader.fenceDir, 'guard.pid'), 'utf8').split(' ')[0]);
    await waitFor('the guard exited', () => !alive(guardPid), 10_000);
    // Start it again for the next test: it rejoins as a replica.
    cluster.start(leader);
    await waitForStreaming(cluster, next, cluster.nodes.filter((n) => n !== next), 90_000);
  });

  it('SIGHUP re-reads patroni.yml: a new log level takes effect, a broken file is refused', async () => {
    const node = cluster.nodes[1]!;
    const original = readFileSync(node.configPath, 'utf8');
    writeFileSync(node.configPath, original.replace('level: INFO', 'level: WARNING'));
    process.kill(node.process!.pid!, 'SIGHUP');
    await waitFor('the reload', () => node.output.includes('Reloading configuration'), 10_000);
    await sleep(1500);
    const mark = node.output.length;
    await sleep(3000);
    expect(node.output.slice(mark)).not.toMatch(/INFO: no action/);

    writeFileSync(node.configPath, original.replace('scope: e2e', 'scope: [broken'));
    process.kill(node.process!.pid!, 'SIGHUP');
    await waitFor('the refusal', () => /ERROR: Configuration not reloaded: /.test(node.output.slice(mark)), 10_000);
    writeFileSync(node.configPath, original);
    process.kill(node.process!.pid!, 'SIGHUP');
    await waitFor('INFO lines again', () => /INFO: no action/.test(node.output.slice(mark)), 10_000);
    expect((await patroni(node))?.state).toBe('running');
  });

  it('a second agent with the same name refuses to start', async () => {
    const dup = cluster.nodes[0]!;
    // Same config file: the member key already names this node and its API answers.
    const r = spawnSync(process.execPath, [AGENT_BIN, dup.configPath], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`Can't start; there is already a node named '${dup.name}' running`);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The first line of the node's fence state file (`armed …`, `disarmed …`, `exit`). */
function fenceState(node: AgentNode): string {
  return readFileSync(join(node.fenceDir, 'state'), 'utf8').split('\n')[0] ?? '';
}
