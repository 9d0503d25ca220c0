import { afterEach, describe, expect, it } from 'vitest';
import { primary, replica } from './fixtures.js';
import { startApi, type Api } from './harness.js';

let api: Api | undefined;
afterEach(async () => {
  await api?.server.close();
  api = undefined;
});

/** Sample lines only (HELP and TYPE stripped), in emission order. */
function samples(text: string): string[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}

const L = '{scope="demo",name="node1"}';

describe('GET /metrics', () => {
  it('emits every Patroni metric for a primary, in order', async () => {
    api = await startApi(primary({ pendingRestartReason: { max_connections: { old_value: '100', new_value: '200' } } }));
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(samples(await res.text())).toEqual([
      `patroni_version${L} 040000`,
      `patroni_postgres_running${L} 1`,
      `patroni_postmaster_start_time${L} 1692356617.966359`,
      `patroni_master${L} 1`,
      `patroni_primary${L} 1`,
      `patroni_xlog_location${L} 67108960`,
      `patroni_standby_leader${L} 0`,
      `patroni_replica${L} 0`,
      `patroni_sync_standby${L} 0`,
      `patroni_xlog_received_location${L} 0`,
      `patroni_xlog_replayed_location${L} 0`,
      `patroni_xlog_replayed_timestamp${L} 0`,
      `patroni_xlog_paused${L} 0`,
      `patroni_postgres_streaming${L} 0`,
      `patroni_postgres_in_archive_recovery${L} 0`,
      `patroni_postgres_server_version${L} 150004`,
      `patroni_cluster_unlocked${L} 0`,
      `patroni_failsafe_mode_is_active${L} 0`,
      `patroni_postgres_timeline${L} 2`,
      `patroni_dcs_last_seen${L} 1692356700`,
      `patroni_pending_restart${L} 1`,
      `patroni_is_paused${L} 0`,
    ]);
  });

  it('precedes every sample with its HELP and TYPE lines', async () => {
    api = await startApi(primary());
    const lines = (await (await fetch(`${api.url}/metrics`)).text()).split('\n');
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(0, -1);
    expect(body.length % 3).toBe(0);
    for (let i = 0; i < body.length; i += 3) {
      const name = body[i + 2]!.split('{')[0]!;
      expect(body[i]).toMatch(new RegExp(`^# HELP ${name} \\S`));
      expect(body[i + 1]).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`));
    }
    expect(lines).toContain('# TYPE patroni_xlog_location counter');
    expect(lines).toContain('# TYPE patroni_postgres_timeline counter');
    expect(lines).toContain('# TYPE patroni_master gauge');
  });

  it('reports a paused, streaming sync replica', async () => {
    api = await startApi(replica({ name: 'node1', paused: true, postgres: { ...replica().postgres!, syncStandby: true } }));
    const lines = samples(await (await fetch(`${api.url}/metrics`)).text());
    expect(lines).toEqual(
      expect.arrayContaining([
        `patroni_primary${L} 0`,
        `patroni_master${L} 0`,
        `patroni_replica${L} 1`,
        `patroni_sync_standby${L} 1`,
        `patroni_xlog_location${L} 0`,
        `patroni_xlog_received_location${L} 67108960`,
        `patroni_xlog_replayed_location${L} 67108000`,
        `patroni_xlog_replayed_timestamp${L} 1692356650.5`,
        `patroni_postgres_streaming${L} 1`,
        `patroni_is_paused${L} 1`,
        `patroni_postmaster_start_time${L} 1692356620.0`,
      ]),
    );
  });

  it('drops the streaming metrics while Postgres is down', async () => {
    api = await startApi(primary({ state: 'stopped', postgres: null, postmasterRunning: false }));
    const lines = samples(await (await fetch(`${api.url}/metrics`)).text());
    expect(lines.some((l) => l.startsWith('patroni_postgres_streaming'))).toBe(false);
    expect(lines).toContain(`patroni_postgres_running${L} 0`);
    expect(lines).toContain(`patroni_postgres_server_version${L} 0`);
    expect(lines).toContain(`patroni_postgres_timeline${L} 0`);
    expect(lines).toHaveLength(20);
  });
});
