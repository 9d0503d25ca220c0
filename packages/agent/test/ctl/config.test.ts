/**
 * show-config, history and edit-config against a real etcd: what is printed is what
 * the DCS holds, edits print a unified diff and land in `config`, and an edit that
 * races a concurrent change fails on the compare-and-set.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl, runCtlInteractive } from './support/run-ctl.js';

let etcd: EtcdCluster;
let cluster: WrittenCluster;
beforeAll(async () => {
  etcd = await startEtcd();
  cluster = await writeCluster(etcd, 'cfg');
});
afterAll(async () => {
  await cluster?.close();
  await etcd?.close();
});

async function dcsConfig(): Promise<Record<string, unknown>> {
  const loaded = await cluster.handles.get('node1')!.loadCluster({ linearizable: true });
  if (loaded.kind !== 'loaded') throw new Error('DCS unavailable');
  return loaded.cluster.config!.data as Record<string, unknown>;
}

it('show-config prints the DCS config as sorted block YAML, as patronictl does', async () => {
  const [res, theirs] = await Promise.all([
    runCtl(['-c', cluster.configFile, 'show-config']),
    promisify(execFile)('/usr/bin/patronictl', ['-c', cluster.configFile, 'show-config']),
  ]);
  expect(res.stdout).toBe('loop_wait: 10\npostgresql:\n  parameters:\n    max_connections: 100\n  use_pg_rewind: true\nretry_timeout: 10\nttl: 30\n\n');
  expect(res.stdout).toBe(theirs.stdout);
});

it('history prints the timeline history table', async () => {
  const [res, json] = await Promise.all([runCtl(['-c', cluster.configFile, 'history']), runCtl(['-c', cluster.configFile, 'history', '-f', 'json'])]);
  expect(res.stdout).toBe(
    [
      '+----+----------+------------------------------+----------------------------------+------------+',
      '| TL |      LSN | Reason                       | Timestamp                        | New Leader |',
      '+----+----------+------------------------------+----------------------------------+------------+',
      '|  1 | 25165984 | no recovery target specified | 2024-06-17T10:11:12.123456+00:00 | node2      |',
      '|  2 | 33554592 | no recovery target specified | 2024-06-18T10:11:12.123456+00:00 | node1      |',
      '+----+----------+------------------------------+----------------------------------+------------+',
      '',
    ].join('\n'),
  );
  expect(JSON.parse(json.stdout)[1]).toEqual({ TL: 2, LSN: 33554592, Reason: 'no recovery target specified', Timestamp: '2024-06-18T10:11:12.123456+00:00', 'New Leader': 'node1' });
});

it('edit-config -s ttl=25 -p … --force prints the diff and changes config', async () => {
  const res = await runCtl(['-c', cluster.configFile, 'edit-config', '-s', 'ttl=25', '-p', 'work_mem=8MB', '--force']);
  expect(res.stderr).toBe('');
  expect(res.stdout).toBe(
    [
      '--- ',
      '+++ ',
      '@@ -2,6 +2,7 @@',
      ' postgresql:',
      '   parameters:',
      '     max_connections: 100',
      '+    work_mem: 8MB',
      '   use_pg_rewind: true',
      ' retry_timeout: 10',
      '-ttl: 30',
      '+ttl: 25',
      'Configuration changed',
      '',
    ].join('\n'),
  );
  expect(await dcsConfig()).toMatchObject({ ttl: 25, postgresql: { parameters: { max_connections: 100, work_mem: '8MB' } } });

  const same = await runCtl(['-c', cluster.configFile, 'edit-config', '-s', 'ttl=25', '--force']);
  expect(same.stdout).toBe('Not changed\n');

  // A null deletes; --apply merges a YAML file from stdin, which needs --force.
  const noForce = await runCtl(['-c', cluster.configFile, 'edit-config', '--apply', '-'], { input: 'postgresql:\n  parameters:\n    work_mem: null\n' });
  expect(noForce.stdout).toContain('-    work_mem: 8MB');
  expect(noForce.stdout).toMatch(/Use --force option to apply changes\n$/);
  const applied = await runCtl(['-c', cluster.configFile, 'edit-config', '--apply', '-', '--force'], { input: 'postgresql:\n  parameters:\n    work_mem: null\n' });
  expect(applied.stdout).toMatch(/Configuration changed\n$/);
  expect(((await dcsConfig()).postgresql as { parameters: object }).parameters).toEqual({ max_connections: 100 });
});

it('edit-config refuses a configuration the agents would refuse, and writes nothing', async () => {
  const before = await dcsConfig();
  for (const set of ['ttl=bad', 'retry_timeout=2147484', 'postgresql.parameters.__proto__=1']) {
    const res = await runCtl(['-c', cluster.configFile, 'edit-config', '-s', set, '--force']);
    expect(res.code, `${set}: ${res.stdout}${res.stderr}`).toBe(1);
    expect(res.stderr).toMatch(/^Error: Not changed: the new configuration is invalid:\n  /);
    expect(res.stdout).not.toContain('Configuration changed');
  }
  expect(await dcsConfig()).toEqual(before);
});

it('edit-config asks before applying and refuses when the config changed meanwhile', async () => {
  const declined = await runCtl(['-c', cluster.configFile, 'edit-config', '-s', 'loop_wait=5'], { input: 'n\n' });
  expect(declined.stdout).toContain('Apply these changes? [y/N]: ');
  expect((await dcsConfig()).loop_wait).toBe(10);

  const raced = await runCtlInteractive(['-c', cluster.configFile, 'edit-config', '-s', 'loop_wait=5'], [
    {
      waitFor: 'Apply these changes?',
      // Someone else edits the config between our read and our write.
      before: async () => {
        const outcome = await cluster.handles.get('node2')!.writeConfig({ ...(await dcsConfig()), maximum_lag_on_failover: 1 });
        expect(outcome.kind).toBe('written');
      },
      send: 'y',
    },
  ]);
  expect(raced.code).toBe(1);
  expect(raced.stderr).toBe('Error: Config modification aborted due to concurrent changes\n');
  expect(await dcsConfig()).toMatchObject({ loop_wait: 10, maximum_lag_on_failover: 1 });
});
