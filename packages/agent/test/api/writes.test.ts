import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threeNodeCluster, withLeader } from './cluster-fixture.js';
import { primary, replica } from './fixtures.js';
import { startApi, type Api } from './harness.js';

let api: Api;
beforeEach(async () => {
  api = await startApi(primary());
});
afterEach(async () => {
  await api.server.close();
});

async function send(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; text: string }> {
  const init: RequestInit = { method };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(api.url + path, init);
  return { status: res.status, text: await res.text() };
}

const FUTURE = '2099-01-02T03:04:05+02:00';

describe('request bodies', () => {
  it('answers 411 to a required body without Content-Length, 400 to bad JSON, arrays and {}', async () => {
    const noLength = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(`${api.url}/switchover`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{"leader":"node1"}');
      }, reject);
    });
    expect(noLength).toBe(411);
    expect((await send('POST', '/switchover', undefined, '{bad')).status).toBe(400);
    expect((await send('POST', '/switchover', [1, 2])).status).toBe(400);
    expect((await send('POST', '/switchover', {})).status).toBe(400);
    expect((await send('PATCH', '/config', {})).status).toBe(400);
    expect(api.actions.called('writeFailover')).toEqual([]);
  });
});

describe('POST /restart', () => {
  it('restarts now with an empty or absent body', async () => {
    expect(await send('POST', '/restart')).toEqual({ status: 200, text: 'restarted successfully' });
    expect(await send('POST', '/restart', undefined, '')).toEqual({ status: 200, text: 'restarted successfully' });
    expect(api.actions.called('restart')).toEqual([[{}], [{}]]);
  });

  it('passes validated filters, treating master as primary', async () => {
    const res = await send('POST', '/restart', { role: 'master', postgres_version: '15.4', timeout: '2min', restart_pending: false });
    expect(res.status).toBe(200);
    expect(api.actions.called('restart')).toEqual([[{ role: 'primary', postgresVersion: '15.4', timeout: 120, restartPending: false }]]);
  });

  it.each([
    [{ role: 'leader' }, 400, 'PostgreSQL role should be either primary or replica'],
    [{ postgres_version: '9.6' }, 400, 'Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 9.6'],
    [{ postgres_version: 'a.b.c' }, 400, 'Invalid PostgreSQL version: a.b.c'],
    [{ timeout: 0 }, 400, 'Timeout should be a positive number of seconds'],
    [{ timeout: 'soon' }, 400, 'Timeout should be a positive number of seconds'],
    [{ force: true }, 400, 'Unknown filter for the scheduled restart: force'],
    [{ schedule: '2099-01-01T00:00:00' }, 400, 'Timezone information is mandatory for the scheduled restart'],
    [{ schedule: '2001-01-01T00:00:00+00:00' }, 422, 'Cannot schedule restart in the past'],
    [{ schedule: 'next tuesday' }, 422, 'Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601'],
  ] as const)('%j → %i %s', async (body, status, text) => {
    expect(await send('POST', '/restart', body)).toEqual({ status, text });
    expect(api.actions.called('restart')).toEqual([]);
    expect(api.actions.called('scheduleRestart')).toEqual([]);
  });

  it('schedules a restart, or reports that one is already scheduled', async () => {
    expect(await send('POST', '/restart', { schedule: FUTURE, role: 'replica' })).toEqual({ status: 202, text: 'Restart scheduled' });
    expect(api.actions.called('scheduleRestart')).toEqual([
      [{ role: 'replica', schedule: FUTURE, scheduleAt: Date.UTC(2099, 0, 2, 1, 4, 5) }],
    ]);
    api.actions.scheduleRestartResult = false;
    expect(await send('POST', '/restart', { schedule: FUTURE })).toEqual({ status: 409, text: 'Another restart is already scheduled' });
  });

  it('refuses to schedule while paused', async () => {
    // Paused as the engine sees it: the configuration in force (the source's) says so.
    api.source.snapshot = api.actions.cluster = threeNodeCluster({}, { pause: true });
    expect(await send('POST', '/restart', { schedule: FUTURE })).toEqual({ status: 500, text: "Can't schedule restart in the paused state" });
  });

  it('maps the restart outcome: refused → 503, exception → 400', async () => {
    api.actions.restartResult = { ok: false, message: 'restart conditions are not satisfied' };
    expect(await send('POST', '/restart', {})).toEqual({ status: 503, text: 'restart conditions are not satisfied' });
    api.actions.restartResult = new Error('boom');
    expect(await send('POST', '/restart', {})).toEqual({ status: 400, text: 'restart failed' });
  });

  it('DELETE /restart → 200 or 404', async () => {
    expect(await send('DELETE', '/restart')).toEqual({ status: 200, text: 'scheduled restart deleted' });
    api.actions.deleteRestartResult = false;
    expect(await send('DELETE', '/restart')).toEqual({ status: 404, text: 'no restarts are scheduled' });
  });
});

describe('POST /switchover and /failover', () => {
  it.each([
    ['/failover', { leader: 'node1' }, 400, 'Failover could be performed only to a specific candidate'],
    ['/switchover', { candidate: 'node2' }, 400, 'Switchover could be performed only from a specific leader'],
    ['/failover', { candidate: 'node2', scheduled_at: FUTURE }, 400, "Failover can't be scheduled"],
    ['/switchover', { leader: 'node1', scheduled_at: '2099-01-01 10:00' }, 400, 'Timezone information is mandatory for the scheduled switchover'],
    ['/switchover', { leader: 'node1', scheduled_at: '2000-01-01T10:00:00Z' }, 422, 'Cannot schedule switchover in the past'],
    ['/switchover', { leader: 'node1', candidate: 'node1' }, 400, 'Switchover target and source are the same'],
    ['/switchover', { leader: 'node2', candidate: 'node3' }, 412, 'leader name does not match'],
    ['/switchover', { leader: 'node1', candidate: 'node9' }, 412, 'candidate does not exists'],
  ] as const)('%s %j → %i %s', async (path, body, status, text) => {
    expect(await send('POST', path, body)).toEqual({ status, text });
    expect(api.actions.called('writeFailover')).toEqual([]);
  });

  it('refuses without a healthy candidate', async () => {
    api.actions.healthyCandidate = false;
    expect(await send('POST', '/switchover', { leader: 'node1' })).toEqual({ status: 412, text: 'switchover is not possible: no good candidates have been found' });
    expect(api.actions.called('hasHealthyCandidate')).toEqual([[['node2', 'node3']]]);
  });

  it('in synchronous mode only switches over to the sync standby', async () => {
    api.actions.cluster = { ...threeNodeCluster({}, { synchronous_mode: true }), sync: { version: '1', leader: 'node1', syncStandbys: ['node3'], extra: {} } };
    expect(await send('POST', '/switchover', { leader: 'node1', candidate: 'node2' })).toEqual({ status: 412, text: 'candidate name does not match with sync_standby' });
    api.actions.cluster = { ...threeNodeCluster({}, { synchronous_mode: true }) };
    expect(await send('POST', '/switchover', { leader: 'node1' })).toEqual({ status: 412, text: 'switchover is not possible: can not find sync_standby' });
  });

  it('while paused, needs a candidate and cannot be scheduled', async () => {
    api.actions.cluster = threeNodeCluster({}, { pause: true });
    expect(await send('POST', '/switchover', { leader: 'node1' })).toEqual({ status: 400, text: 'Switchover is possible only to a specific candidate in a paused state' });
    expect(await send('POST', '/switchover', { leader: 'node1', candidate: 'node2', scheduled_at: FUTURE })).toEqual({ status: 400, text: "Can't schedule switchover in the paused state" });
  });

  it('schedules a switchover: writes the key and answers 202', async () => {
    expect(await send('POST', '/switchover', { leader: 'node1', member: 'node2', scheduled_at: FUTURE })).toEqual({ status: 202, text: 'Switchover scheduled' });
    expect(api.actions.called('writeFailover')).toEqual([[{ leader: 'node1', candidate: 'node2', scheduledAt: FUTURE }, undefined]]);
    expect(api.actions.called('hasHealthyCandidate')).toEqual([]);
  });

  it('waits for the new leader after an immediate switchover', async () => {
    const before = threeNodeCluster({ failover: { version: '9', leader: 'node1', candidate: 'node2', scheduledAt: null, scheduledAtMs: null, extra: {} } });
    let reads = 0;
    api.actions.cluster = () => (++reads < 4 ? before : withLeader(before, 'node2'));
    expect(await send('POST', '/switchover', { leader: 'node1', candidate: 'node2' })).toEqual({ status: 200, text: 'Successfully switched over to "node2"' });
    expect(api.actions.called('wakeup')).toHaveLength(1);
  });

  it('reports another leader than asked for, a vanished key and a failed write', async () => {
    const before = threeNodeCluster({ failover: { version: '9', leader: null, candidate: 'node2', scheduledAt: null, scheduledAtMs: null, extra: {} } });
    let reads = 0;
    api.actions.cluster = () => (++reads < 2 ? before : withLeader(before, 'node3'));
    expect(await send('POST', '/failover', { candidate: 'node2' })).toEqual({ status: 200, text: 'Failed over to "node3" instead of "node2"' });

    api.actions.cluster = threeNodeCluster(); // no failover key, leader unchanged
    expect(await send('POST', '/switchover', { leader: 'node1', candidate: 'node2' })).toEqual({ status: 503, text: 'Switchover failed' });

    api.actions.writeFailoverResult = false;
    expect(await send('POST', '/switchover', { leader: 'node1', candidate: 'node2' })).toEqual({ status: 503, text: 'failed to write failover key into DCS' });
  });

  it('turns a failover that names the leader into a switchover', async () => {
    api.actions.cluster = (() => {
      let reads = 0;
      const before = threeNodeCluster({ failover: { version: '9', leader: 'node1', candidate: 'node2', scheduledAt: null, scheduledAtMs: null, extra: {} } });
      return () => (++reads < 2 ? before : withLeader(before, 'node2'));
    })();
    expect(await send('POST', '/failover', { leader: 'node1', candidate: 'node2' })).toEqual({ status: 200, text: 'Successfully switched over to "node2"' });
  });

  it('DELETE /switchover clears a scheduled one with CAS, else 404', async () => {
    api.actions.cluster = threeNodeCluster({ failover: { version: '12', leader: 'node1', candidate: null, scheduledAt: FUTURE, scheduledAtMs: 1, extra: {} } });
    expect(await send('DELETE', '/switchover')).toEqual({ status: 200, text: 'scheduled switchover deleted' });
    expect(api.actions.called('writeFailover')).toEqual([[{ leader: null, candidate: null, scheduledAt: null }, '12']]);
    api.actions.writeFailoverResult = false;
    expect((await send('DELETE', '/switchover')).status).toBe(409);
    api.actions.cluster = threeNodeCluster();
    expect(await send('DELETE', '/switchover')).toEqual({ status: 404, text: 'no switchover is scheduled' });
  });
});

describe('/config writes', () => {
  it('PATCH merges, deletes nulls, writes with CAS and returns the merged config', async () => {
    api.actions.cluster = threeNodeCluster({}, { ttl: 30, loop_wait: 10, postgresql: { parameters: { max_connections: 100, work_mem: '4MB' } } });
    const res = await send('PATCH', '/config', { ttl: 20, loop_wait: null, postgresql: { parameters: { work_mem: '8MB' } } });
    expect(res.status).toBe(200);
    const merged = { ttl: 20, postgresql: { parameters: { max_connections: 100, work_mem: '8MB' } } };
    expect(JSON.parse(res.text)).toEqual(merged);
    expect(api.actions.called('writeConfig')).toEqual([[JSON.stringify(merged), '3']]);
    expect(api.actions.called('wakeup')).toHaveLength(1);
  });

  it('PATCH without a change writes nothing but still answers 200 ("10" equals 10)', async () => {
    const res = await send('PATCH', '/config', { ttl: '30' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ttl: 30, loop_wait: 10 });
    expect(api.actions.called('writeConfig')).toEqual([]);
  });

  it('PATCH answers 409 on a CAS failure and 503 without a config key', async () => {
    api.actions.writeConfigResult = false;
    expect((await send('PATCH', '/config', { ttl: 20 })).status).toBe(409);
    api.actions.cluster = { ...threeNodeCluster(), config: null };
    expect((await send('PATCH', '/config', { ttl: 20 })).status).toBe(503);
  });

  it('PUT replaces without CAS and echoes the body; 502 when the write fails', async () => {
    expect(await send('PUT', '/config', { ttl: 25 })).toEqual({ status: 200, text: '{"ttl":25}' });
    expect(api.actions.called('writeConfig')).toEqual([['{"ttl":25}', null]]);
    expect((await send('PUT', '/config', { ttl: 30, loop_wait: '10' })).status).toBe(200);
    expect(api.actions.called('writeConfig')).toHaveLength(1); // equal by str(): nothing written
    api.actions.writeConfigResult = false;
    expect((await send('PUT', '/config', { ttl: 99 })).status).toBe(502);
  });
});

describe('other writes', () => {
  it('POST /reinitialize passes force and maps the refusal to 503', async () => {
    expect(await send('POST', '/reinitialize', { force: 'on' })).toEqual({ status: 200, text: 'reinitialize started' });
    expect(await send('POST', '/reinitialize')).toEqual({ status: 200, text: 'reinitialize started' });
    expect(api.actions.called('reinitialize')).toEqual([[true], [false]]);
    api.actions.reinitializeResult = 'I am the leader, can not reinitialize';
    expect(await send('POST', '/reinitialize', {})).toEqual({ status: 503, text: 'I am the leader, can not reinitialize' });
  });

  it('POST /failsafe needs failsafe_mode, then accepts or refuses the push', async () => {
    expect((await send('POST', '/failsafe', { node1: 'http://x/patroni' })).status).toBe(502);
    api.source.snapshot = threeNodeCluster({}, { failsafe_mode: 'on' });
    expect(await send('POST', '/failsafe', { node1: 'http://x/patroni' })).toEqual({ status: 200, text: 'Accepted' });
    api.actions.failsafeResult = 'Running as a leader';
    expect(await send('POST', '/failsafe', { node1: 'http://x/patroni' })).toEqual({ status: 500, text: 'Running as a leader' });
    expect(api.actions.called('updateFailsafe')).toEqual([[{ node1: 'http://x/patroni' }], [{ node1: 'http://x/patroni' }]]);
  });

  it('POST /sigterm answers 202', async () => {
    api.source.state = replica();
    expect(await send('POST', '/sigterm')).toEqual({ status: 202, text: 'shutdown scheduled' });
  });
});
