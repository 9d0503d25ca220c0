/**
 * The Consul double must follow Consul's documented HTTP API (developer.hashicorp.com
 * /consul/api-docs/kv and /session): these tests pin its answers to the documented
 * request/response shapes and semantics, so the double cannot drift into agreeing with
 * whatever the adapter does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsulDouble, type ConsulDouble } from '../src/index.js';

let consul: ConsulDouble;
const call = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${consul.url}${path}`, { ...init, signal: init.signal ?? AbortSignal.timeout(15_000) });
const put = (path: string, body?: unknown): Promise<Response> =>
  call(path, { method: 'PUT', body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
const session = async (body: Record<string, unknown>): Promise<string> => ((await (await put('/v1/session/create', body)).json()) as { ID: string }).ID;
let n = 0;
const key = (): string => `service/test-${++n}/leader`;

beforeAll(async () => {
  consul = await startConsulDouble({ sessionTtlMin: '1s' });
});
afterAll(async () => {
  await consul?.close();
});

describe('sessions (/v1/session)', () => {
  it('creates a session and describes it as Consul does', async () => {
    const res = await put('/v1/session/create', { Name: 'batman-node1', TTL: '15s', LockDelay: '0.001s', Behavior: 'delete', Checks: [] });
    expect(res.status).toBe(200);
    const { ID } = (await res.json()) as { ID: string };
    expect(ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const info = (await (await call(`/v1/session/info/${ID}`)).json()) as Record<string, unknown>[];
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ ID, Name: 'batman-node1', Behavior: 'delete', TTL: '15s', LockDelay: 1_000_000, NodeChecks: [] });
    expect(info[0]).toHaveProperty('CreateIndex');
    expect(info[0]).toHaveProperty('ModifyIndex');
  });

  it('defaults to behavior release, a 15 s lock-delay and the serfHealth check', async () => {
    const id = await session({ TTL: '10s' });
    const [info] = (await (await call(`/v1/session/info/${id}`)).json()) as Record<string, unknown>[];
    expect(info).toMatchObject({ Behavior: 'release', LockDelay: 15e9, NodeChecks: ['serfHealth'] });
  });

  it('refuses a TTL below the agent minimum with the message clients match on', async () => {
    const res = await put('/v1/session/create', { TTL: '0.5s' });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Invalid Session TTL '0.5s', must be between [1s=24h0m0s]");
    const self = (await (await call('/v1/agent/self')).json()) as { Config: { SessionTTLMin: number } };
    expect(self.Config.SessionTTLMin).toBe(1e9);
  });

  it('renews with the session in an array, and answers 404 for an unknown one', async () => {
    const id = await session({ TTL: '10s' });
    const res = await put(`/v1/session/renew/${id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ID: string }[])[0]!.ID).toBe(id);
    const missing = await put('/v1/session/renew/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('not found');
  });

  it('invalidates an unrenewed session at twice its TTL, deleting its keys when behavior is delete', async () => {
    const id = await session({ TTL: '1s', Behavior: 'delete', LockDelay: '0.001s' });
    const k = key();
    expect(await (await put(`/v1/kv/${k}?acquire=${id}`, 'node1')).json()).toBe(true);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 1500)); // past the TTL, before 2 × TTL
    expect((await call(`/v1/kv/${k}`)).status).toBe(200);
    while ((await call(`/v1/kv/${k}`)).status === 200 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
    const goneAfter = Date.now() - start;
    expect(goneAfter).toBeGreaterThanOrEqual(1900);
    expect(goneAfter).toBeLessThan(3000);
    expect(await (await call(`/v1/session/info/${id}`)).json()).toEqual([]);
  });

  it('keeps an invalidated session\'s keys locked for its lock-delay, but not after a voluntary release', async () => {
    const a = await session({ TTL: '10s', LockDelay: '1s' });
    const b = await session({ TTL: '10s' });
    const k = key();
    expect(await (await put(`/v1/kv/${k}?acquire=${a}`, 'a')).json()).toBe(true);
    expect(await (await put(`/v1/session/destroy/${a}`)).json()).toBe(true);
    const [entry] = (await (await call(`/v1/kv/${k}`)).json()) as Record<string, unknown>[];
    expect(entry).not.toHaveProperty('Session'); // behavior release keeps the key, unlocked
    expect(await (await put(`/v1/kv/${k}?acquire=${b}`, 'b')).json()).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await (await put(`/v1/kv/${k}?acquire=${b}`, 'b')).json()).toBe(true);

    const c = await session({ TTL: '10s', LockDelay: '5s' });
    expect(await (await put(`/v1/kv/${k}?release=${b}`, 'b')).json()).toBe(true);
    expect(await (await put(`/v1/kv/${k}?acquire=${c}`, 'c')).json()).toBe(true);
  });
});

describe('KV (/v1/kv)', () => {
  it('stores a value and returns it as Consul\'s documented entry', async () => {
    const k = key();
    const res = await put(`/v1/kv/${k}`, 'test');
    expect(await res.json()).toBe(true);
    const get = await call(`/v1/kv/${k}`);
    expect(get.status).toBe(200);
    const body = (await get.json()) as Record<string, unknown>[];
    expect(body).toEqual([{ CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number), LockIndex: 0, Key: k, Flags: 0, Value: 'dGVzdA==' }]);
    expect(Number(get.headers.get('x-consul-index'))).toBe(body[0]!.ModifyIndex);
    expect(await (await call(`/v1/kv/${k}?raw`)).text()).toBe('test');
  });

  it('answers 404 for a missing key, with an index header', async () => {
    const res = await call(`/v1/kv/${key()}-missing`);
    expect(res.status).toBe(404);
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(0);
  });

  it('writes with cas=0 only when absent, and with cas=N only when ModifyIndex is N', async () => {
    const k = key();
    expect(await (await put(`/v1/kv/${k}?cas=0`, 'a')).json()).toBe(true);
    expect(await (await put(`/v1/kv/${k}?cas=0`, 'b')).json()).toBe(false);
    const [entry] = (await (await call(`/v1/kv/${k}`)).json()) as { ModifyIndex: number }[];
    expect(await (await put(`/v1/kv/${k}?cas=${entry!.ModifyIndex}`, 'c')).json()).toBe(true);
    expect(await (await put(`/v1/kv/${k}?cas=${entry!.ModifyIndex}`, 'd')).json()).toBe(false);
    expect(await (await call(`/v1/kv/${k}?cas=${entry!.ModifyIndex}`, { method: 'DELETE' })).json()).toBe(false);
    expect(await (await call(`/v1/kv/${k}?raw`)).text()).toBe('c');
    expect(await (await call(`/v1/kv/${k}-never?cas=5`, { method: 'DELETE' })).json()).toBe(true);
  });

  it('locks with ?acquire: LockIndex counts acquisitions, the holder may update, others may not', async () => {
    const a = await session({ TTL: '10s' });
    const b = await session({ TTL: '10s' });
    const k = key();
    expect(await (await put(`/v1/kv/${k}?acquire=${a}`, 'a')).json()).toBe(true);
    expect(await (await put(`/v1/kv/${k}?acquire=${a}`, 'a2')).json()).toBe(true);
    expect(await (await put(`/v1/kv/${k}?acquire=${b}`, 'b')).json()).toBe(false);
    let [entry] = (await (await call(`/v1/kv/${k}`)).json()) as Record<string, unknown>[];
    expect(entry).toMatchObject({ LockIndex: 1, Session: a, Value: Buffer.from('a2').toString('base64') });
    expect(await (await put(`/v1/kv/${k}?release=${b}`, 'x')).json()).toBe(false);
    expect(await (await put(`/v1/kv/${k}?release=${a}`, 'a3')).json()).toBe(true);
    expect(await (await put(`/v1/kv/${k}?acquire=${b}`, 'b')).json()).toBe(true);
    [entry] = (await (await call(`/v1/kv/${k}`)).json()) as Record<string, unknown>[];
    expect(entry).toMatchObject({ LockIndex: 2, Session: b });
  });

  it('refuses ?acquire with an unknown session with "invalid session"', async () => {
    const res = await put(`/v1/kv/${key()}?acquire=00000000-0000-0000-0000-000000000000`, 'x');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('invalid session "00000000-0000-0000-0000-000000000000"');
  });

  it('reads and deletes a prefix recursively, sorted by key', async () => {
    const base = `service/recurse-${Date.now()}/`;
    await put(`/v1/kv/${base}b`, '2');
    await put(`/v1/kv/${base}a`, '1');
    await put(`/v1/kv/${base}members/n1`, '3');
    await put(`/v1/kv/${base.slice(0, -1)}2/x`, 'other');
    const listed = (await (await call(`/v1/kv/${base}?recurse`)).json()) as { Key: string }[];
    expect(listed.map((e) => e.Key)).toEqual([`${base}a`, `${base}b`, `${base}members/n1`]);
    expect(await (await call(`/v1/kv/${base}?recurse`, { method: 'DELETE' })).json()).toBe(true);
    expect((await call(`/v1/kv/${base}?recurse`)).status).toBe(404);
    expect((await call(`/v1/kv/${base.slice(0, -1)}2/x`)).status).toBe(200);
  });

  it('blocks a read on ?index until the key changes, and times out after ?wait', async () => {
    const k = key();
    await put(`/v1/kv/${k}`, 'v1');
    const index = Number((await call(`/v1/kv/${k}`)).headers.get('x-consul-index'));
    const start = Date.now();
    const pending = call(`/v1/kv/${k}?index=${index}&wait=10s`);
    setTimeout(() => void put(`/v1/kv/${k}`, 'v2'), 300);
    const res = await pending;
    expect(Date.now() - start).toBeLessThan(2000);
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(index);
    const timedStart = Date.now();
    const unchanged = await call(`/v1/kv/${k}?index=${Number(res.headers.get('x-consul-index'))}&wait=1s`);
    expect(unchanged.status).toBe(200);
    expect(Date.now() - timedStart).toBeGreaterThanOrEqual(950);
  });

  it('wakes a blocked read when the key is deleted by a session ending', async () => {
    const id = await session({ TTL: '10s', Behavior: 'delete', LockDelay: '0.001s' });
    const k = key();
    await put(`/v1/kv/${k}?acquire=${id}`, 'node1');
    const index = Number((await call(`/v1/kv/${k}`)).headers.get('x-consul-index'));
    const pending = call(`/v1/kv/${k}?index=${index}&wait=10s`);
    await put(`/v1/session/destroy/${id}`);
    const res = await pending;
    expect(res.status).toBe(404);
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(index);
  });
});

describe('the agent and the process', () => {
  it('registers and deregisters a service', async () => {
    await put('/v1/agent/service/register', { ID: 'batman/node1', Name: 'batman', Tags: ['primary', 'master'], Port: 5432 });
    expect(await (await call('/v1/agent/services')).json()).toMatchObject({ 'batman/node1': { Name: 'batman', Tags: ['primary', 'master'] } });
    expect((await put('/v1/agent/service/deregister/batman/node1')).status).toBe(200);
    expect(await (await call('/v1/agent/services')).json()).toEqual({});
  });

  it('keeps keys and sessions across a stop and start, and stops answering while frozen', async () => {
    const id = await session({ TTL: '10s' });
    const k = key();
    await put(`/v1/kv/${k}?acquire=${id}`, 'kept');
    await consul.stop();
    await expect(call(`/v1/kv/${k}`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    await consul.start();
    expect(await (await call(`/v1/kv/${k}?raw`)).text()).toBe('kept');
    expect((await put(`/v1/session/renew/${id}`)).status).toBe(200);
    await consul.freeze();
    try {
      await expect(call(`/v1/kv/${k}`, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
    } finally {
      await consul.thaw();
    }
    expect((await call(`/v1/kv/${k}`)).status).toBe(200);
  });
});

describe('ACL tokens', () => {
  it('refuses requests without the token or with a wrong one', async () => {
    const secured = await startConsulDouble({ token: 's3cret' });
    try {
      expect((await fetch(`${secured.url}/v1/kv/x`)).status).toBe(403);
      expect(await (await fetch(`${secured.url}/v1/kv/x`, { headers: { 'X-Consul-Token': 'nope' } })).text()).toBe('ACL not found');
      expect((await fetch(`${secured.url}/v1/kv/x`, { method: 'PUT', body: '1', headers: { 'X-Consul-Token': 's3cret' } })).status).toBe(200);
    } finally {
      await secured.close();
    }
  });
});
