/**
 * The DCS at start, as Patroni: unreachable → wait and retry with a line naming the
 * endpoints, come up by itself once it answers; a problem waiting cannot fix is fatal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { defaultDynamicSettings } from '@pgwarden/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonStartError } from '../../src/daemon/errors.js';
import { DcsWaitAborted, openDcsWhenReachable } from '../../src/daemon/open-dcs.js';
import { loadConfig, memoryLogger, writeConfig } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pgwarden-dcs-wait-'));
let etcd: EtcdCluster;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

const timing = defaultDynamicSettings().timing;

describe('an unreachable DCS at start', () => {
  it('is retried with a line naming the hosts until it answers, then the first cluster read is returned', async () => {
    const member = etcd.members[0]!;
    await member.stop();
    const logger = memoryLogger();
    const config = await loadConfig(writeConfig(dir, etcd.hosts[0]!));
    const opening = openDcsWhenReachable(config, timing, logger, { intervalMs: 200 });
    const waitingLines = (): string[] => logger.lines.filter((l) => l.includes('WARNING: Waiting on etcd3'));
    const until = Date.now() + 30_000;
    while (waitingLines().length < 3) {
      if (Date.now() > until) throw new Error(`no waiting lines:\n${logger.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(waitingLines()[0]).toContain(`Waiting on etcd3 (${etcd.hosts[0]}): not accessible`);
    expect(waitingLines()[0]).toContain('nothing is started until it answers');
    await member.start();
    const { dcs, cluster } = await opening;
    try {
      expect(cluster.members).toEqual([]);
      expect(logger.lines.some((l) => /etcd3 .* is reachable again after \d+ attempts/.test(l))).toBe(true);
    } finally {
      await dcs.close();
    }
  });

  it('stops waiting when the agent is told to stop', async () => {
    const logger = memoryLogger();
    const config = await loadConfig(writeConfig(dir, '127.0.0.1:1'));
    const abort = new AbortController();
    const opening = openDcsWhenReachable(config, timing, logger, { intervalMs: 60_000, signal: abort.signal });
    while (!logger.lines.some((l) => l.includes('Waiting on etcd3 (127.0.0.1:1)'))) await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    abort.abort();
    await expect(opening).rejects.toBeInstanceOf(DcsWaitAborted);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('is fatal when waiting cannot help: the adapter package cannot be loaded', async () => {
    const logger = memoryLogger();
    const config = await loadConfig(writeConfig(dir, etcd.hosts[0]!));
    // The section names a module that does not exist (validation has passed already).
    const broken = { ...config, raw: { ...config.raw, etcd3: { ...(config.raw.etcd3 as object), module: './no-such-adapter.mjs' } } };
    await expect(openDcsWhenReachable(broken, timing, logger, { intervalMs: 100 })).rejects.toBeInstanceOf(DaemonStartError);
    expect(logger.lines.filter((l) => l.includes('Waiting on'))).toEqual([]);
  });
});
