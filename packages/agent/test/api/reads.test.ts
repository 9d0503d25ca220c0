import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '@pgwarden/core';
import { threeNodeCluster } from './cluster-fixture.js';
import { primary, replica } from './fixtures.js';
import { rawRequest, startApi, type Api } from './harness.js';

let api: Api | undefined;
afterEach(async () => {
  await api?.server.close();
  api = undefined;
});

describe('GET /patroni', () => {
  it('answers 200 with the status document even for a replica', async () => {
    api = await startApi(replica());
    const res = await fetch(`${api.url}/patroni`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'state', 'postmaster_start_time', 'role', 'server_version', 'xlog', 'timeline', 'replication_state', 'dcs_last_seen', 'tags', 'patroni',
    ]);
    expect(body['patroni']).toEqual({ version: '4.0.0', scope: 'demo', name: 'node2' });
  });

  it('writes a 3.x master as primary', async () => {
    api = await startApi(primary({ role: 'master' }));
    const body = (await (await fetch(`${api.url}/patroni`)).json()) as Record<string, unknown>;
    expect(body['role']).toBe('primary');
  });

  it('does no I/O: the actions are never called', async () => {
    api = await startApi(primary());
    for (const p of ['/patroni', '/primary', '/replica', '/metrics', '/liveness', '/readiness', '/health']) await (await fetch(api.url + p)).arrayBuffer();
    expect(api.actions.calls).toEqual([]);
  });
});

describe('probes', () => {
  it('GET /liveness and /readiness send only the status line', async () => {
    api = await startApi(primary());
    expect(await rawRequest(api.url, 'GET', '/liveness')).toBe('HTTP/1.0 200 OK\r\n\r\n');
    expect(await rawRequest(api.url, 'GET', '/readiness')).toBe('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('fails liveness once the loop is overdue by more than ttl on a primary', async () => {
    api = await startApi(primary({ nextLoopAt: systemClock.now() - 31_000 }));
    expect(await rawRequest(api.url, 'GET', '/liveness')).toBe('HTTP/1.0 503 Service Unavailable\r\n\r\n');
    api.source.state = replica({ nextLoopAt: systemClock.now() - 31_000 });
    expect(await rawRequest(api.url, 'GET', '/liveness')).toBe('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('fails readiness without a DCS view', async () => {
    api = await startApi(replica({ clusterKnown: false }));
    expect(await rawRequest(api.url, 'GET', '/readiness')).toBe('HTTP/1.0 503 Service Unavailable\r\n\r\n');
  });
});

describe('cluster-level reads', () => {
  it('GET /cluster reads the DCS afresh and lists the members', async () => {
    api = await startApi(primary());
    const res = await fetch(`${api.url}/cluster`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { members: { name: string; role: string; lag?: unknown }[]; scope: string };
    expect(body.members.map((m) => [m.name, m.role, m.lag])).toEqual([
      ['node1', 'leader', undefined],
      ['node2', 'replica', 100],
      ['node3', 'replica', 0],
    ]);
    expect(body.scope).toBe('demo');
    expect(api.actions.called('loadCluster')).toHaveLength(1);
  });

  it('GET /cluster answers 500 when the DCS read fails (Patroni closes the connection without a reply)', async () => {
    api = await startApi(primary());
    api.actions.cluster = () => {
      throw new Error('DCS down');
    };
    expect(await rawRequest(api.url, 'GET', '/cluster')).toMatch(/^HTTP\/1\.[01] 500 /);
  });

  it('GET /history lists the timeline history from the snapshot', async () => {
    api = await startApi(primary());
    const res = await fetch(`${api.url}/history`);
    expect(await res.json()).toEqual([[1, 25165984, 'no recovery target specified', '2024-06-17T10:00:00+00:00', 'node1']]);
    expect(api.actions.calls).toEqual([]);
  });

  it('GET /config returns the dynamic config, or 502 without one', async () => {
    api = await startApi(primary());
    const res = await fetch(`${api.url}/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ttl: 30, loop_wait: 10 });
    api.source.snapshot = { ...threeNodeCluster(), config: null };
    const missing = await fetch(`${api.url}/config`);
    expect(missing.status).toBe(502);
    expect(missing.headers.get('content-type')).toBe('text/html;charset=utf-8');
  });

  it('GET /failsafe answers 502 unless failsafe_mode is on', async () => {
    api = await startApi(primary());
    expect((await fetch(`${api.url}/failsafe`)).status).toBe(502);
    api.source.snapshot = { ...threeNodeCluster({}, { failsafe_mode: true }), failsafe: { node1: 'http://127.0.0.1:8008/patroni' } };
    const res = await fetch(`${api.url}/failsafe`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ node1: 'http://127.0.0.1:8008/patroni' });
  });
});
