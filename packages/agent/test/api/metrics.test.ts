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
      `patroni_postgres_state${L} 5`,
      // pgwarden's own, after Patroni's.
      `pgwarden_ha_loop_errors_total${L} 0`,
    ]);
  });

  it('precedes every sample with its HELP and TYPE lines', async () => {
    api = await startApi(primary());
    const lines = (await (await fetch(`${api.url}/metrics`)).text()).split('\n');
    expect(lines.at(-1)).toBe('');
    // Patroni 4.1's `# Values:` legend of patroni_postgres_state sits between its HELP and TYPE.
    const body = lines.slice(0, -1).filter((l) => !l.startsWith('# Values: '));
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
    // Patroni's 21 (with 4.1's patroni_postgres_state), then pgwarden's loop-error counter.
    expect(lines).toHaveLength(22);
  });

  it('counts HA cycles that ended in an unexpected error', async () => {
    api = await startApi(primary({ haLoopErrors: 4 }));
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toContain('# TYPE pgwarden_ha_loop_errors_total counter');
    expect(samples(text)).toContain(`pgwarden_ha_loop_errors_total${L} 4`);
  });
});

describe('GET /metrics: pgwarden fence metrics', () => {
  const PATRONI_SAMPLES = 23;

  it('appends the armed fence after Patroni\'s metrics, with HELP and TYPE', async () => {
    api = await startApi(primary({ fence: { armed: true, deadline: 1692356730.25, fencedCount: 3 } }));
    const text = await (await fetch(`${api.url}/metrics`)).text();
    // Patroni's, the loop-error counter, then the fence's three.
    expect(samples(text)).toHaveLength(PATRONI_SAMPLES + 4);
    expect(samples(text).slice(0, PATRONI_SAMPLES - 1).every((l) => l.startsWith('patroni_'))).toBe(true);
    expect(text.split('\n').slice(-10)).toEqual([
      '# HELP pgwarden_fence_armed 1 while the fence guard is armed to stop this primary, else 0.',
      '# TYPE pgwarden_fence_armed gauge',
      `pgwarden_fence_armed${L} 1`,
      '# HELP pgwarden_fence_deadline_seconds When the armed fence guard stops Postgres unless renewed, in epoch seconds; 0 when not armed.',
      '# TYPE pgwarden_fence_deadline_seconds gauge',
      `pgwarden_fence_deadline_seconds${L} 1692356730.25`,
      '# HELP pgwarden_fence_actions_total Times the fence guard stopped Postgres since the agent started.',
      '# TYPE pgwarden_fence_actions_total counter',
      `pgwarden_fence_actions_total${L} 3`,
      '',
    ]);
  });

  it('reports a disarmed fence with a zero deadline', async () => {
    api = await startApi(replica({ name: 'node1', fence: { armed: false, deadline: null, fencedCount: 1 } }));
    expect(samples(await (await fetch(`${api.url}/metrics`)).text()).slice(-3)).toEqual([
      `pgwarden_fence_armed${L} 0`,
      `pgwarden_fence_deadline_seconds${L} 0`,
      `pgwarden_fence_actions_total${L} 1`,
    ]);
  });

  it('omits the fence metrics while the fence is off', async () => {
    api = await startApi(primary({ fence: null }));
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).not.toContain('pgwarden_fence');
    expect(samples(text)).toHaveLength(PATRONI_SAMPLES + 1);
  });
});

describe('GET /patroni: pgwarden_fence', () => {
  it('ends the body with the fence after Patroni\'s fields', async () => {
    api = await startApi(primary({ fence: { armed: true, deadline: 1692356730.25, fencedCount: 0 } }));
    const text = await (await fetch(`${api.url}/patroni`)).text();
    expect(text.endsWith('"patroni":{"version":"4.0.0","scope":"demo","name":"node1"},"pgwarden_fence":{"armed":true,"deadline":"2023-08-18T11:05:30.250Z","fenced_count":0}}')).toBe(true);
  });

  it('has no such field while the fence is off', async () => {
    api = await startApi(primary());
    const body = (await (await fetch(`${api.url}/patroni`)).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('pgwarden_fence');
    expect(Object.keys(body).at(-1)).toBe('patroni');
  });
});
