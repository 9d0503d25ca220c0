/**
 * `POST /restart` with `schedule` on a real node (PostgreSQL 15, its HA loop running, a
 * real etcd): the restart is stored (202; a second one 409), shown in `/patroni` and in
 * the member key patronictl reads, cancelled by `DELETE /restart` (200, then 404), and
 * run by the loop at its time — not before — once; a filter that no longer matches at
 * that time drops it unrun. pgwardenctl `restart --scheduled`, `list` and `flush` work
 * against it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger, systemClock } from '@pgwarden/core';
import { dcsAdapter } from '@pgwarden/dcs-etcd';
import { PostgresSandbox, startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCtl } from '../ctl/support/run-ctl.js';
import { call, startPgNode, waitFor, type PgNode } from './pg-node.js';

interface Doc {
  state: string;
  role: string;
  postmaster_start_time?: string;
  scheduled_restart?: Record<string, unknown>;
}

const PATRONICTL = '/usr/bin/patronictl';

async function patronictl(args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)(PATRONICTL, args, { timeout: 60_000, env: { PATH: process.env.PATH ?? '', TZ: 'UTC' } })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${PATRONICTL} not found. Install it: apt-get install -y patroni`);
    throw error;
  }
}

const isoIn = (ms: number): string => new Date(Date.now() + ms).toISOString().replace('Z', '+00:00');

describe('scheduled restart', () => {
  let sandbox: PostgresSandbox;
  let etcd: EtcdCluster;
  let node: PgNode;
  let ctlConfig: string;

  const status = async (): Promise<Doc> => (await call(node, 'GET', '/patroni')).json as Doc;
  const memberKey = async (): Promise<Record<string, unknown>> => (await node.memberData()) ?? {};
  const ctl = (...args: string[]) => runCtl(['-c', ctlConfig, ...args]);

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-sched-' });
    etcd = await startEtcd();
    node = await startPgNode(sandbox, 'sched1', {
      adapter: (layout, name, ttlSeconds) =>
        dcsAdapter.create({
          section: { hosts: [...etcd.hosts], protocol: 'http' },
          layout,
          name,
          ttlSeconds,
          loopWaitSeconds: 1,
          retryTimeoutSeconds: 3,
          clock: systemClock,
          logger: silentLogger,
        }),
    });
    ctlConfig = join(mkdtempSync(join(tmpdir(), 'pgwardenctl-sched-')), 'patroni.yml');
    writeFileSync(ctlConfig, `scope: api\netcd3:\n  hosts: ${etcd.hosts[0]}\n`);
    node.loop.start();
    await waitFor('sched1 bootstrapped and leading', async () => {
      const doc = await status();
      return (await node.leaderName()) === 'sched1' && doc.state === 'running' && doc.role === 'primary' && doc.postmaster_start_time;
    }, 90_000);
  });

  afterAll(async () => {
    await node?.close();
    await etcd?.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('is stored, shown in /patroni and the member key, refused twice, and cancelled by DELETE', async () => {
    const schedule = isoIn(3_600_000);
    const first = await call(node, 'POST', '/restart', { schedule, postgres_version: '99.0' });
    expect([first.status, first.text]).toEqual([202, 'Restart scheduled']);
    const second = await call(node, 'POST', '/restart', { schedule: isoIn(7_200_000) });
    expect([second.status, second.text]).toEqual([409, 'Another restart is already scheduled']);

    const shown = (await status()).scheduled_restart!;
    expect(Object.keys(shown).sort()).toEqual(['postgres_version', 'schedule']);
    expect(shown['postgres_version']).toBe('99.0');
    expect(Date.parse(String(shown['schedule']))).toBe(Date.parse(schedule));
    const published = await waitFor('scheduled_restart in the member key', async () => (await memberKey())['scheduled_restart'] as Record<string, unknown> | undefined);
    expect(published).toMatchObject({ postgres_version: '99.0' });
    expect(String(published['schedule'])).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(published['postmaster_start_time']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/));
    // Custom tags reach the member key too (Patroni publishes every configured tag).
    expect((await memberKey())['tags']).toEqual({ zone: 'a' });

    const deleted = await call(node, 'DELETE', '/restart');
    expect([deleted.status, deleted.text]).toEqual([200, 'scheduled restart deleted']);
    const again = await call(node, 'DELETE', '/restart');
    expect([again.status, again.text]).toEqual([404, 'no restarts are scheduled']);
    expect((await status()).scheduled_restart).toBeUndefined();
    await waitFor('scheduled_restart gone from the member key', async () => !('scheduled_restart' in (await memberKey())));
  });

  it('runs at its time, not before, and once', async () => {
    const before = (await status()).postmaster_start_time!;
    const dueAt = Date.now() + 4000;
    const scheduled = await call(node, 'POST', '/restart', { schedule: new Date(dueAt).toISOString(), role: 'primary' });
    expect(scheduled.status).toBe(202);
    const after = await waitFor('the postmaster restarted', async () => {
      const doc = await status();
      return doc.state === 'running' && doc.postmaster_start_time && doc.postmaster_start_time !== before ? doc : null;
    }, 60_000);
    const startedAt = Date.parse(after.postmaster_start_time!.replace(' ', 'T'));
    expect(startedAt).toBeGreaterThanOrEqual(dueAt - 50);
    expect(after.scheduled_restart).toBeUndefined();
    expect(node.logger.lines.some((l) => l.message.startsWith('Manual scheduled restart at'))).toBe(true);
    // Once: two more loop cycles pass without another restart.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await status()).postmaster_start_time).toBe(after.postmaster_start_time);
  });

  it('is dropped unrun when its role filter does not match at its time', async () => {
    const before = (await status()).postmaster_start_time!;
    const dueAt = Date.now() + 2000;
    expect((await call(node, 'POST', '/restart', { schedule: new Date(dueAt).toISOString(), role: 'replica' })).status).toBe(202);
    await waitFor('the schedule is consumed', async () => (await status()).scheduled_restart === undefined && Date.now() > dueAt, 30_000);
    expect(node.logger.lines.some((l) => l.message === 'Scheduled restart: restart conditions are not satisfied')).toBe(true);
    expect((await status()).postmaster_start_time).toBe(before);
  });

  it('pgwardenctl restart --scheduled, list and flush', async () => {
    const at = new Date(Date.now() + 3_600_000);
    at.setUTCSeconds(0, 0);
    const schedule = at.toISOString().replace('.000Z', '+00:00');
    const scheduled = await ctl('restart', 'api', 'sched1', '--scheduled', schedule, '--pg-version', '99.0', '--force');
    expect(scheduled.stdout).toContain('Success: restart scheduled on member sched1\n');
    await waitFor('scheduled_restart in the member key', async () => 'scheduled_restart' in (await memberKey()));
    const list = await ctl('list', 'api');
    expect(list.stdout).toContain('Scheduled restart');
    expect(list.stdout).toContain('if version < 99.0');
    const again = await ctl('restart', 'api', 'sched1', '--scheduled', schedule, '--force');
    // Forced: the existing schedule is flushed first, then the new one stored.
    expect(again.stdout).toContain('Success: restart scheduled on member sched1\n');
    const flushed = await ctl('flush', 'api', 'restart', '--force');
    expect(flushed.stdout).toContain('Success: flush scheduled restart for member sched1');
    expect((await status()).scheduled_restart).toBeUndefined();
  });

  it("Debian's patronictl restart --scheduled, list and flush", async () => {
    const schedule = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, '+00:00');
    expect(await patronictl(['-c', ctlConfig, 'restart', 'api', 'sched1', '--scheduled', schedule, '--force'])).toContain(
      'Success: restart scheduled on member sched1',
    );
    await waitFor('scheduled_restart in the member key', async () => 'scheduled_restart' in (await memberKey()));
    expect(await patronictl(['-c', ctlConfig, 'list', 'api'])).toContain('Scheduled restart');
    // Forced over an existing one: patronictl flushes it first (DELETE /restart), then schedules.
    expect(await patronictl(['-c', ctlConfig, 'restart', 'api', 'sched1', '--scheduled', schedule, '--force', '--pending'])).toContain(
      'Success: restart scheduled on member sched1',
    );
    expect(((await status()).scheduled_restart ?? {})['restart_pending']).toBe(true);
    expect(await patronictl(['-c', ctlConfig, 'flush', 'api', 'restart', '--force'])).toContain('Success: flush scheduled restart for member sched1');
    expect((await status()).scheduled_restart).toBeUndefined();
  });
});
