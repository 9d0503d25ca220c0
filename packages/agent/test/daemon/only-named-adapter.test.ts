/**
 * The agent and pgwardenctl import only the DCS adapter their config names: the other
 * adapters and their client libraries (gRPC, ZooKeeper, Redis, Consul) cost tens of MB
 * of memory and start-up time when loaded. Checked on the built programs in a child
 * process, with a module-resolution hook recording every module it loads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeConfig } from './helpers.js';
import { runRecordingModules } from './module-log.js';

const dir = mkdtempSync(join(tmpdir(), 'pgwarden-only-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (program: string, args: readonly string[], log: string, until?: RegExp) => runRecordingModules(dir, program, args, log, until);

const OTHERS = ['dcs-zookeeper', 'dcs-redis', 'dcs-consul', 'node-zookeeper-client', 'ioredis', 'consul@'];
const loaded = (urls: readonly string[], part: string): string[] => urls.filter((u) => u.includes(`/${part}`));

describe('DCS adapter loading', () => {
  it('the agent imports the etcd3 adapter for an etcd3 section, and no other adapter', async () => {
    // Port 1 refuses: the agent imports the adapter, then waits for etcd, where it is stopped.
    const config = writeConfig(dir, '127.0.0.1:1');
    const r = await run('pgwarden.js', [config], join(dir, 'agent.log'), /Waiting on etcd3/);
    expect(r.stderr).toContain('Waiting on etcd3');
    expect(loaded(r.resolved, 'dcs-etcd').length, r.stderr).toBeGreaterThan(0);
    for (const other of OTHERS) expect(loaded(r.resolved, other), `${other} was loaded`).toEqual([]);
  }, 90_000);

  it('pgwardenctl does the same', async () => {
    const config = writeConfig(dir, '127.0.0.1:1');
    const r = await run('pgwardenctl.js', ['-c', config, 'list'], join(dir, 'ctl.log'));
    expect(loaded(r.resolved, 'dcs-etcd').length, r.stderr).toBeGreaterThan(0);
    for (const other of OTHERS) expect(loaded(r.resolved, other), `${other} was loaded`).toEqual([]);
  }, 90_000);
});
