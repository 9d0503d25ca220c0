import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeState } from '@pgwarden/core';
import { pausedWithoutCluster, primary, replica, standbyLeader, unlockedReplica } from './fixtures.js';
import { rawRequest, startApi, type Api } from './harness.js';

let api: Api;
beforeAll(async () => {
  api = await startApi(primary());
});
afterAll(async () => {
  await api.server.close();
});

async function get(state: NodeState, path: string): Promise<number> {
  api.source.state = state;
  const res = await fetch(api.url + path);
  await res.arrayBuffer();
  return res.status;
}

const PATHS = [
  '/', '/primary', '/master', '/leader', '/read-write', '/standby-leader', '/standby_leader', '/replica', '/read-only',
  '/sync', '/synchronous', '/async', '/asynchronous', '/read-only-sync', '/read-only-synchronous', '/health', '/foo',
] as const;

/** spec/api.md §1.3, one row per state, codes in PATHS order. */
const TABLE: Record<string, [() => NodeState, string]> = {
  'primary': [() => primary(), '200 200 200 200 200 503 503 503 200 503 503 503 503 200 200 200 503'],
  'replica': [() => replica(), '503 503 503 503 503 503 503 200 200 503 503 200 200 503 503 200 503'],
  'sync replica': [() => replica({ postgres: { ...replica().postgres!, syncStandby: true } }), '503 503 503 503 503 503 503 200 200 200 200 503 503 200 200 200 503'],
  'standby leader': [() => standbyLeader(), '503 503 503 200 503 200 200 503 200 503 503 503 503 200 200 200 503'],
  'paused without DCS view (primary)': [() => pausedWithoutCluster('primary'), '200 200 200 200 200 503 503 503 200 503 503 503 503 503 503 200 503'],
  'paused without DCS view (replica)': [() => pausedWithoutCluster('replica'), '503 503 503 503 503 503 503 200 200 503 503 503 503 503 503 200 503'],
  'unlocked cluster (replica)': [() => unlockedReplica(), '503 503 503 503 503 503 503 200 200 503 503 200 200 503 503 200 503'],
};

describe('health checks over HTTP', () => {
  for (const [name, [make, codes]] of Object.entries(TABLE)) {
    it(`GET every path: ${name}`, async () => {
      const actual: string[] = [];
      for (const p of PATHS) actual.push(`${p}=${await get(make(), p)}`);
      expect(actual).toEqual(codes.split(' ').map((c, i) => `${PATHS[i]}=${c}`));
    });

    it(`HEAD and OPTIONS agree with GET: ${name}`, async () => {
      api.source.state = make();
      const expected = codes.split(' ');
      for (const [i, p] of PATHS.entries()) {
        const code = expected[i]!;
        const line = `HTTP/1.0 ${code} ${code === '200' ? 'OK' : 'Service Unavailable'}\r\n\r\n`;
        expect(await rawRequest(api.url, 'HEAD', p), `HEAD ${p}`).toBe(line);
        expect(await rawRequest(api.url, 'OPTIONS', p), `OPTIONS ${p}`).toBe(line);
      }
    });
  }

  it('sends the status document as JSON with a GET, closing the connection', async () => {
    api.source.state = replica();
    const res = await fetch(`${api.url}/replica`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('connection')).toBe('close');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['role']).toBe('replica');
    expect(body['xlog']).toEqual({ received_location: 67108960, replayed_location: 67108000, replayed_timestamp: '2023-08-18 11:04:10.500000+00:00', paused: false });
  });

  it('answers an unknown GET path with 503 and the full document', async () => {
    api.source.state = primary();
    const res = await fetch(`${api.url}/no-such-thing`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as Record<string, unknown>)['role']).toBe('primary');
  });

  it('sends the bare status line for HEAD even on paths with a GET handler', async () => {
    api.source.state = primary();
    for (const p of ['/patroni', '/liveness', '/readiness', '/metrics']) {
      expect(await rawRequest(api.url, 'HEAD', p), p).toBe('HTTP/1.0 503 Service Unavailable\r\n\r\n');
    }
  });

  it('treats /replicas as /replica (substring match)', async () => {
    expect(await get(replica(), '/replicas')).toBe(200);
  });

  it('answers methods without a handler with 501', async () => {
    api.source.state = primary();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${api.url}/primary`, { method });
      expect(res.status, method).toBe(501);
      await res.arrayBuffer();
    }
  });
});

describe('?lag= and ?tag_ filters over HTTP', () => {
  // The replica is 960 bytes behind the leader's reported LSN.
  it.each([
    ['/replica?lag=1kB', 200],
    ['/replica?lag=960', 200],
    ['/replica?lag=959', 503],
    ['/replica?lag=16MB', 200],
    ['/replica?lag=bogus', 200],
    ['/read-only?lag=10', 503],
    ['/asynchronous?lag=10', 503],
    ['/replica?tag_datacenter=east', 200],
    ['/replica?tag_datacenter=west', 503],
    ['/replica?tag_rack=1', 503],
    ['/replica?tag_datacenter=east&lag=1MB', 200],
    ['/replica?tag_noloadbalance=false', 503],
  ] as const)('%s → %i', async (path, expected) => {
    expect(await get(replica(), path)).toBe(expected);
  });

  it('applies the filters to HEAD as well', async () => {
    api.source.state = replica();
    expect(await rawRequest(api.url, 'HEAD', '/replica?lag=1')).toBe('HTTP/1.0 503 Service Unavailable\r\n\r\n');
    expect(await rawRequest(api.url, 'HEAD', '/replica?tag_datacenter=east')).toBe('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('ignores tag filters on the leader paths', async () => {
    expect(await get(primary(), '/primary?tag_datacenter=west')).toBe(200);
  });
});
