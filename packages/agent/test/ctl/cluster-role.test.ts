/**
 * `demote-cluster` and `promote-cluster` up to the point where they would write /config:
 * the checks that refuse or skip the request, against a cluster written into a real etcd.
 * (The write itself and the cluster's reaction: test/e2e/standby-cluster.test.ts.)
 */
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threeMembers, writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl } from './support/run-ctl.js';

let etcd: EtcdCluster;
let primary: WrittenCluster;
let leaderless: WrittenCluster;

beforeAll(async () => {
  etcd = await startEtcd();
  primary = await writeCluster(etcd, 'roles');
  leaderless = await writeCluster(etcd, 'roles-nolead', { leader: null });
}, 60_000);

afterAll(async () => {
  await primary?.close();
  await leaderless?.close();
  await etcd?.close();
});

describe('pgwardenctl demote-cluster / promote-cluster', () => {
  it('demote-cluster needs a source: --host, --port or --restore-command', async () => {
    const r = await runCtl(['-c', primary.configFile, 'demote-cluster', '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: At least --host, --port or --restore-command should be specified');
  });

  it('refuses a port or slot name Postgres could not use, naming the option', async () => {
    const port = await runCtl(['-c', primary.configFile, 'demote-cluster', '--port', '70000', '--force']);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain("Invalid value for '--port'");
    const slot = await runCtl(['-c', primary.configFile, 'demote-cluster', '--host', 'h', '--primary-slot-name', 'Bad-Slot', '--force']);
    expect(slot.code).toBe(1);
    expect(slot.stderr).toContain("Invalid value for '--primary-slot-name'");
  });

  it('a cluster without a leader cannot be demoted', async () => {
    const r = await runCtl(['-c', leaderless.configFile, 'demote-cluster', '--host', 'h', '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cluster has no leader, demote is not possible');
  });

  it('promote-cluster on a cluster that already runs on its own does nothing', async () => {
    const r = await runCtl(['-c', primary.configFile, 'promote-cluster', '--force']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Cluster is already in the required state');
  });

  it('asks before demoting, and stops on no', async () => {
    const r = await runCtl(['-c', primary.configFile, 'demote-cluster', '--restore-command', 'cp /arch/%f %p'], { input: 'n\n' });
    expect(r.stdout).toContain('Are you sure you want to demote roles cluster?');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Aborted cluster demote');
  });
});
