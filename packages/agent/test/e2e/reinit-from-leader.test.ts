/**
 * `pgwardenctl reinit --from-leader` on a live three-node cluster: node2 is tagged
 * clonefrom, so a plain reinit of node3 copies node2 (a standby); with --from-leader
 * node3 copies the leader. Which server pg_basebackup copied is written in the new data
 * directory's backup label (`BACKUP FROM: standby|primary`), which Postgres keeps as
 * backup_label.old once it has read it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eCluster, SCOPE, waitFor, type AgentNode } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const CTL = fileURLToPath(new URL('../../bin/pgwardenctl.js', import.meta.url));

describe('pgwarden e2e: reinit --from-leader', () => {
  let cluster: E2eCluster;
  let leader: AgentNode;
  let ctlConfig = '';

  function ctl(args: readonly string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CTL, '-c', ctlConfig, ...args], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  const label = (node: AgentNode): string => join(node.dataDir, 'backup_label.old');
  const labelTime = (node: AgentNode): number => (existsSync(label(node)) ? statSync(label(node)).mtimeMs : 0);

  /** Reinitializes node3 and returns what its new backup label says it was copied from. */
  async function reinitNode3(extra: string[]): Promise<string> {
    const node3 = cluster.node('node3');
    const before = labelTime(node3);
    const res = await ctl(['reinit', SCOPE, 'node3', '--force', ...extra]);
    expect(res.code, res.out).toBe(0);
    await waitFor('node3 to be copied again', () => labelTime(node3) > before, 90_000);
    await waitForStreaming(cluster, leader, [node3]);
    return /^BACKUP FROM: (\w+)$/m.exec(readFileSync(label(node3), 'utf8'))?.[1] ?? 'missing';
  }

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'reinit-from-leader', nodes: 3 });
    ctlConfig = join(cluster.root, 'ctl.yml');
    writeFileSync(ctlConfig, `scope: ${SCOPE}\nnamespace: /service\n${cluster.dcs.yaml}`);
    const node2 = cluster.node('node2');
    writeFileSync(node2.configPath, readFileSync(node2.configPath, 'utf8').replace('tags:\n', 'tags:\n  clonefrom: true\n'));
    cluster.start(cluster.node('node1'));
    leader = await waitForPrimary(cluster, [cluster.node('node1')]);
    cluster.start(node2);
    await waitForStreaming(cluster, leader, [node2]);
    cluster.start(cluster.node('node3'));
    await waitForStreaming(cluster, leader, [node2, cluster.node('node3')]);
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('without the flag, node3 is copied from the clonefrom replica', async () => {
    expect(await reinitNode3([]), tails(cluster)).toBe('standby');
  }, 180_000);

  it('with --from-leader, node3 is copied from the leader', async () => {
    expect(await reinitNode3(['--from-leader']), tails(cluster)).toBe('primary');
  }, 180_000);
});
