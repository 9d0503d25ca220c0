import { describe, expect, it } from 'vitest';
import { dcsAdapter, endpointUrls, parseEtcd3Section, type Etcd3Section } from '../src/index.js';

function ok(raw: unknown): Etcd3Section {
  const result = parseEtcd3Section(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

function issues(raw: unknown) {
  const result = parseEtcd3Section(raw);
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

describe('parseEtcd3Section', () => {
  it('is the parser the module exports for the etcd3 section', () => {
    expect(dcsAdapter.section).toBe('etcd3');
    expect(dcsAdapter.parseSection).toBe(parseEtcd3Section);
    expect(dcsAdapter.capabilities).toEqual({ minTtlSeconds: 2, liveness: 'loop', nativeWatch: true, ttlNegotiated: false });
  });

  it('takes hosts as a list or a comma-separated string, with the default port', () => {
    expect(ok({ hosts: ['10.0.0.1:2379', '10.0.0.2'] }).hosts).toEqual(['10.0.0.1:2379', '10.0.0.2:2379']);
    expect(ok({ hosts: '10.0.0.1:2379, 10.0.0.2:2380' }).hosts).toEqual(['10.0.0.1:2379', '10.0.0.2:2380']);
    expect(ok({ hosts: 'a,b', port: 4001 }).hosts).toEqual(['a:4001', 'b:4001']);
    expect(ok({ hosts: ['[::1]:2379'] }).hosts).toEqual(['[::1]:2379']);
  });

  it('takes a single host', () => {
    expect(ok({ host: '127.0.0.1:2379' })).toEqual({ hosts: ['127.0.0.1:2379'], protocol: 'http' });
    expect(ok({ host: 'etcd.local' }).hosts).toEqual(['etcd.local:2379']);
  });

  it('takes a url with scheme and credentials, ahead of hosts', () => {
    const section = ok({ url: 'https://root:s3cret@etcd.local:2379', hosts: 'ignored:1' });
    expect(section).toMatchObject({ hosts: ['etcd.local:2379'], protocol: 'https', username: 'root', password: 's3cret' });
    expect(endpointUrls(section)).toEqual(['https://etcd.local:2379']);
  });

  it('takes protocol, credentials and TLS files, with ca_cert as an alias of cacert', () => {
    const section = ok({
      hosts: ['10.0.0.1:2379'],
      protocol: 'https',
      username: 'patroni',
      password: 'pw',
      ca_cert: '/etc/ca.pem',
      cert: '/etc/c.pem',
      key: '/etc/k.pem',
      ttl: 30, // top-level values copied in by the agent are ignored
    });
    expect(section).toEqual({
      hosts: ['10.0.0.1:2379'],
      protocol: 'https',
      username: 'patroni',
      password: 'pw',
      cacert: '/etc/ca.pem',
      cert: '/etc/c.pem',
      key: '/etc/k.pem',
    });
    expect(endpointUrls(section)).toEqual(['https://10.0.0.1:2379']);
    expect(ok({ host: 'h', cacert: '/a.pem' }).cacert).toBe('/a.pem');
  });

  it('names the key and the fix for each bad value', () => {
    expect(issues({ hosts: ['10.0.0.1:2379', '10.0.0.2:99999', 7] })).toEqual([
      { path: 'etcd3.hosts[1]', value: '10.0.0.2:99999', reason: 'the port must be between 1 and 65535' },
      { path: 'etcd3.hosts[2]', value: 7, reason: 'must be a host:port string' },
    ]);
    expect(issues({ hosts: ['http://10.0.0.1:2379'] })[0]).toMatchObject({ path: 'etcd3.hosts[0]', reason: expect.stringContaining('etcd3.protocol') });
    expect(issues({ host: 'h', protocol: 'grpc' })).toEqual([{ path: 'etcd3.protocol', value: 'grpc', reason: 'must be http or https' }]);
    expect(issues({})).toEqual([{ path: 'etcd3', reason: expect.stringContaining('needs one of hosts, host or url') }]);
    expect(issues('127.0.0.1:2379')[0]).toMatchObject({ path: 'etcd3', reason: expect.stringContaining('mapping') });
    expect(issues({ url: 'ftp://x' })[0]).toMatchObject({ path: 'etcd3.url', reason: 'the scheme must be http or https' });
    expect(issues({ host: 'h', key: '/k.pem' })[0]).toMatchObject({ path: 'etcd3.key', reason: expect.stringContaining('etcd3.cert') });
    expect(issues({ srv: 'example.com' })[0]).toMatchObject({ path: 'etcd3.srv', reason: expect.stringContaining('etcd3.hosts') });
    expect(issues({ host: 'h', cacert: '/a.pem', ca_cert: '/b.pem' })[0]).toMatchObject({ path: 'etcd3.ca_cert' });
  });

  it('never echoes a password', () => {
    const found = issues({ host: 'h', password: 'hunter2' });
    expect(found).toEqual([{ path: 'etcd3.password', value: '******', reason: expect.stringContaining('etcd3.username') }]);
    expect(JSON.stringify(issues({ host: 'h', password: { nested: 'hunter2' }, username: 'u' }))).not.toContain('hunter2');
    expect(JSON.stringify(issues({ url: 'gopher://u:hunter2@h:1' }))).not.toContain('hunter2');
  });
});
