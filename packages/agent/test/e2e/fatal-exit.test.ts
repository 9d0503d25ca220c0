/**
 * When the HA loop stops on a fatal condition the agent logs it as CRITICAL and exits 1,
 * as Patroni does. The daemon learns of it from the loop's cycle-end hook (no polling
 * timer), so this checks that the hook really ends the process. The fatal condition used
 * is Patroni's "system ID mismatch": a data directory initialised apart from the cluster.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { lookupOsUser, postgresBinDir } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eCluster, waitFor } from './cluster.js';
import { waitForPrimary } from './wait.js';

describe('pgwarden e2e: a fatal loop condition ends the agent', () => {
  let cluster: E2eCluster;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'fatal-exit', nodes: 2 });
    cluster.start(cluster.node('node1'));
    await waitForPrimary(cluster);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('a node whose data directory belongs to another cluster logs CRITICAL and exits 1', async () => {
    const node = cluster.node('node2');
    // initdb refuses to run as root: as the agents' user, like the harness runs them.
    const user = process.getuid?.() === 0 ? lookupOsUser('postgres') : null;
    const init = spawnSync(join(postgresBinDir(), 'initdb'), ['-D', node.dataDir, '-A', 'trust', '-U', 'postgres'], {
      encoding: 'utf8',
      timeout: 60_000,
      ...(user && { uid: user.uid, gid: user.gid }),
    });
    expect(init.status, init.stderr).toBe(0);

    const child = cluster.start(node);
    const code = await waitFor('node2 to exit', () => (child.exitCode !== null ? { code: child.exitCode } : null), 60_000, 100);
    expect(code.code, node.output).toBe(1);
    expect(node.output).toMatch(/CRITICAL: system ID mismatch, node node2 belongs to a different cluster/);
    expect(node.output).toMatch(/pgwarden node2 stopped/);
  });
});
