import { afterEach, describe, expect, it } from 'vitest';
import { primary } from './fixtures.js';
import { basic, startApi, type Api } from './harness.js';

let api: Api | undefined;
afterEach(async () => {
  await api?.server.close();
  api = undefined;
});

const AUTH = { authentication: { username: 'admin', password: 's3cret' } };

describe('basic auth on writes', () => {
  it('refuses a write without an Authorization header', async () => {
    api = await startApi(primary(), AUTH);
    const res = await fetch(`${api.url}/reload`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Patroni"');
    expect(await res.text()).toBe('no auth header received');
    expect(api.actions.called('reload')).toEqual([]);
  });

  it('refuses wrong credentials and a lower-case scheme', async () => {
    api = await startApi(primary(), AUTH);
    for (const header of [basic('admin', 'wrong'), basic('admin', 's3cret').replace('Basic', 'basic'), 'Bearer x']) {
      const res = await fetch(`${api.url}/reload`, { method: 'POST', headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(await res.text()).toBe('not authenticated');
    }
    expect(api.actions.called('reload')).toEqual([]);
  });

  it('accepts the configured credentials', async () => {
    api = await startApi(primary(), AUTH);
    const res = await fetch(`${api.url}/reload`, { method: 'POST', headers: { authorization: basic('admin', 's3cret') } });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('reload scheduled');
    expect(api.actions.called('reload')).toHaveLength(1);
  });

  it('protects every write endpoint, and checks auth before reading the body', async () => {
    api = await startApi(primary(), AUTH);
    const writes: [string, string][] = [
      ['PATCH', '/config'], ['PUT', '/config'], ['POST', '/restart'], ['DELETE', '/restart'], ['POST', '/switchover'],
      ['POST', '/failover'], ['DELETE', '/switchover'], ['POST', '/reinitialize'], ['POST', '/failsafe'], ['POST', '/sigterm'],
    ];
    for (const [method, path] of writes) {
      const res = await fetch(api.url + path, { method, body: '{"x":1}', headers: { 'content-type': 'application/json' } });
      expect(res.status, `${method} ${path}`).toBe(401);
      await res.arrayBuffer();
    }
    expect(api.actions.calls).toEqual([]);
  });

  it('leaves reads open', async () => {
    api = await startApi(primary(), AUTH);
    for (const p of ['/patroni', '/primary', '/metrics', '/config', '/history']) {
      const res = await fetch(api.url + p);
      expect(res.status, p).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('asks for nothing when no authentication is configured', async () => {
    api = await startApi(primary());
    expect((await fetch(`${api.url}/reload`, { method: 'POST' })).status).toBe(202);
  });
});

describe('allowlist', () => {
  it('denies writes from addresses outside it', async () => {
    api = await startApi(primary(), { allowlist: ['10.0.0.0/8', '192.168.1.1'] });
    const res = await fetch(`${api.url}/reload`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Access is denied');
    expect((await fetch(`${api.url}/patroni`)).status).toBe(200);
  });

  it('admits addresses, networks and host names inside it', async () => {
    for (const entry of ['127.0.0.1', '127.0.0.0/8', 'localhost']) {
      api = await startApi(primary(), { allowlist: [entry] });
      expect((await fetch(`${api.url}/reload`, { method: 'POST' })).status, entry).toBe(202);
      await api.server.close();
      api = undefined;
    }
  });

  it('admits the hosts of member api_urls with allowlist_include_members', async () => {
    // node1's api_url points at 127.0.0.1 in the fixture cluster.
    api = await startApi(primary(), { allowlist: ['10.0.0.0/8'], allowlist_include_members: true });
    expect((await fetch(`${api.url}/reload`, { method: 'POST' })).status).toBe(202);
    api.source.snapshot = null;
    expect((await fetch(`${api.url}/reload`, { method: 'POST' })).status).toBe(403);
  });

  it('checks the allowlist before basic auth', async () => {
    api = await startApi(primary(), { allowlist: ['10.0.0.0/8'], ...AUTH });
    expect((await fetch(`${api.url}/reload`, { method: 'POST' })).status).toBe(403);
  });
});
