/** The REST additions of Patroni 4.1, over HTTP: /readiness lag and mode, /cluster LSN fields, patroni_postgres_state. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Member } from '@pgwarden/core';
import { threeNodeCluster } from './cluster-fixture.js';
import { primary, replica } from './fixtures.js';
import { startApi, type Api } from './harness.js';

let api: Api | undefined;
afterEach(async () => {
  await api?.server.close();
  api = undefined;
});

const status = async (path: string): Promise<number> => {
  const res = await fetch(api!.url + path);
  await res.arrayBuffer();
  return res.status;
};

describe('GET /readiness with ?lag= and ?mode= (Patroni 4.1)', () => {
  // The replica fixture received up to the leader's LSN and replayed 960 bytes less.
  it('measures the lag on replayed WAL by default and on received WAL with mode=write', async () => {
    api = await startApi(replica());
    expect(await status('/readiness')).toBe(200);
    expect(await status('/readiness?lag=100')).toBe(503);
    expect(await status('/readiness?lag=100&mode=apply')).toBe(503);
    expect(await status('/readiness?lag=100&mode=write')).toBe(200);
    expect(await status('/readiness?lag=1KB')).toBe(200);
    expect(await status('/readiness?lag=960')).toBe(200);
    expect(await status('/readiness?lag=959')).toBe(503);
  });

  it('defaults the limit to maximum_lag_on_failover', async () => {
    api = await startApi(replica(), {}, threeNodeCluster({}, { maximum_lag_on_failover: 500 }));
    expect(await status('/readiness')).toBe(503);
    expect(await status('/readiness?mode=write')).toBe(200);
    expect(await status('/readiness?lag=2000')).toBe(200);
  });

  it('is not ready unless Postgres runs and streams', async () => {
    api = await startApi(replica({ postgres: { ...replica().postgres!, replicationState: 'in archive recovery' } }));
    expect(await status('/readiness')).toBe(503);
    api.source.state = replica({ state: 'starting' });
    expect(await status('/readiness')).toBe(503);
  });

  it('without a DCS view, a replica is ready only while failsafe mode is active', async () => {
    api = await startApi(replica({ clusterKnown: false }));
    expect(await status('/readiness')).toBe(503);
    api.source.state = replica({ clusterKnown: false, failsafeActive: true });
    expect(await status('/readiness')).toBe(200);
  });

  it('the lock holder is always ready, whatever the query', async () => {
    api = await startApi(primary());
    expect(await status('/readiness?lag=0&mode=write')).toBe(200);
  });
});

describe('GET /cluster: receive and replay positions (Patroni 4.1)', () => {
  it('lists lsn, receive_lsn, replay_lsn and their lags for every member but the leader', async () => {
    api = await startApi(primary());
    const base = threeNodeCluster({ status: { lastLsn: 0x3000060, slots: null, extra: {} } });
    const members: Member[] = base.members.map((m) =>
      m.name === 'node2' ? { ...m, data: { ...m.data, xlog_location: 0x3000000, receive_lsn: 0x3000060, replay_lsn: 0x3000000 } } : m,
    );
    api.actions.cluster = { ...base, members, leader: { ...base.leader!, member: members[0]! } };
    const body = (await (await fetch(`${api.url}/cluster`)).json()) as { members: Record<string, unknown>[] };
    const [leader, node2, node3] = body.members;
    for (const key of ['lsn', 'lag', 'receive_lsn', 'receive_lag', 'replay_lsn', 'replay_lag']) expect(leader).not.toHaveProperty(key);
    expect(node2).toMatchObject({ receive_lsn: '0/3000060', receive_lag: 0, replay_lsn: '0/3000000', replay_lag: 0x60, lsn: '0/3000000', lag: 0x60 });
    // Patroni's order: receive, replay, then the member's own position.
    expect(Object.keys(node2!).slice(-6)).toEqual(['receive_lag', 'receive_lsn', 'replay_lag', 'replay_lsn', 'lag', 'lsn']);
    // node3 reports only xlog_location (1000): ahead of nothing, far behind the leader.
    expect(node3).toMatchObject({ receive_lsn: 'unknown', receive_lag: 'unknown', replay_lsn: 'unknown', replay_lag: 'unknown', lsn: '0/3E8', lag: 0x3000060 - 1000 });
  });

  it('prints a position above 4 GB with both halves', async () => {
    const { formatLsn } = await import('../../src/api/cluster-lsn.js');
    expect(formatLsn(0x1_0000_00a0)).toBe('1/A0');
    expect(formatLsn(0x16_b374_d848)).toBe('16/B374D848');
  });
});

describe('GET /metrics: patroni_postgres_state (Patroni 4.1)', () => {
  const L = '{scope="demo",name="node1"}';
  const stateLines = async (): Promise<string[]> => {
    const lines = (await (await fetch(`${api!.url}/metrics`)).text()).split('\n');
    const at = lines.indexOf('# HELP patroni_postgres_state Numeric representation of Postgres state.');
    return lines.slice(at, at + 4);
  };

  it('prints the state as its number, with the legend between HELP and TYPE', async () => {
    api = await startApi(primary());
    expect(await stateLines()).toEqual([
      '# HELP patroni_postgres_state Numeric representation of Postgres state.',
      '# Values: 0=initdb, 1=initdb_failed, 2=custom_bootstrap, 3=custom_bootstrap_failed, 4=creating_replica, 5=running, 6=starting, ' +
        '7=bootstrap_starting, 8=start_failed, 9=restarting, 10=restart_failed, 11=stopping, 12=stopped, 13=stop_failed, 14=crashed',
      '# TYPE patroni_postgres_state gauge',
      `patroni_postgres_state${L} 5`,
    ]);
  });

  it('follows the state, and is -1 for a state Patroni has no number for', async () => {
    api = await startApi(primary({ state: 'stopped', postgres: null, postmasterRunning: false }));
    expect((await stateLines())[3]).toBe(`patroni_postgres_state${L} 12`);
    api.source.state = primary({ state: 'creating replica' });
    expect((await stateLines())[3]).toBe(`patroni_postgres_state${L} 4`);
    api.source.state = primary({ state: 'unknown' });
    expect((await stateLines())[3]).toBe(`patroni_postgres_state${L} -1`);
  });

  it('keeps the timeline sample', async () => {
    api = await startApi(primary());
    expect(await (await fetch(`${api.url}/metrics`)).text()).toContain(`patroni_postgres_timeline${L} 2`);
  });
});
