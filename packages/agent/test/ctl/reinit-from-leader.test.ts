/**
 * `pgwardenctl reinit --from-leader` (Patroni 4.1) against the agent's real REST API and
 * a real etcd: the flag travels as `from_leader` in the POST /reinitialize body and
 * reaches the agent's reinitialize action; without it the action gets false.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberData } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestApiServer } from '../../src/api/index.js';
import { AUTH, EtcdActions, nodeState, StateSource, type ClusterHandles } from './support/api-node.js';
import { member, MB, writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl } from './support/run-ctl.js';

/** The agent's reinitialize action, remembering both arguments. */
class ReinitActions extends EtcdActions {
  readonly reinits: [boolean, boolean | undefined][] = [];
  override async reinitialize(force: boolean, fromLeader?: boolean): Promise<string | null> {
    this.reinits.push([force, fromLeader]);
    return null;
  }
}

let etcd: EtcdCluster;
let cluster: WrittenCluster;
let server: RestApiServer;
let actions: ReinitActions;
let config = '';
const data = new Map<string, MemberData>();

beforeAll(async () => {
  etcd = await startEtcd();
  const handles = (): ClusterHandles => ({ dcs: (n) => cluster.handles.get(n)!, data: (n) => data.get(n)! });
  actions = new ReinitActions('node2', handles);
  server = await RestApiServer.start({
    config: { listen: '127.0.0.1:0', authentication: AUTH },
    source: new StateSource(nodeState('node2', 'replica')),
    actions,
    failoverPollIntervalMs: 50,
  });
  const specs = [
    member('node1', 5432, 'primary', 64 * MB, { api_url: 'http://127.0.0.1:9/patroni' }),
    member('node2', 5433, 'replica', 48 * MB, { api_url: `${server.url}/patroni`, replication_state: 'streaming' }),
  ];
  for (const s of specs) data.set(s.name, s.data);
  cluster = await writeCluster(etcd, 'reinit', { members: specs });
  config = join(mkdtempSync(join(tmpdir(), 'pgwardenctl-reinit-')), 'patroni.yml');
  writeFileSync(config, `scope: reinit\netcd3:\n  hosts: ${etcd.hosts[0]}\nctl:\n  authentication:\n    username: ${AUTH.username}\n    password: ${AUTH.password}\n`);
});
afterAll(async () => {
  await server?.close();
  await cluster?.close();
  await etcd?.close();
});

describe('pgwardenctl reinit --from-leader', () => {
  it('asks the replica to clone from the leader', async () => {
    const res = await runCtl(['-c', config, 'reinit', 'reinit', 'node2', '--force', '--from-leader']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Success: reinitialize for member node2');
    expect(actions.reinits.at(-1)).toEqual([true, true]);
  });

  it('without the flag, from_leader is false', async () => {
    await runCtl(['-c', config, 'reinit', 'reinit', 'node2', '--force']);
    expect(actions.reinits.at(-1)).toEqual([true, false]);
  });

  it('lists the option in the command help', async () => {
    const res = await runCtl(['reinit', '--help']);
    expect(res.stdout).toContain('--from-leader');
    expect(res.stdout).toContain('Get basebackup from leader');
  });
});
