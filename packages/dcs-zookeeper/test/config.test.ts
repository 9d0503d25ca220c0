import { formatConfigIssue } from '@pgwarden/core';
import { describe, expect, it } from 'vitest';
import { dcsAdapter } from '../src/index.js';
import { parseZooKeeperSection } from '../src/config.js';

function issues(raw: unknown): string[] {
  const result = parseZooKeeperSection(raw);
  if (result.ok) throw new Error('expected the section to be refused');
  return result.issues.map(formatConfigIssue);
}

describe('zookeeper section', () => {
  it('is what the agent loads for `zookeeper:`', () => {
    expect(dcsAdapter.section).toBe('zookeeper');
    expect(dcsAdapter.capabilities).toEqual({ minTtlSeconds: 2, liveness: 'client', nativeWatch: true, ttlNegotiated: true });
    expect(dcsAdapter.parseSection).toBe(parseZooKeeperSection);
  });

  it('accepts hosts as a list or a comma-separated string, defaulting the port to 2181', () => {
    const fromList = parseZooKeeperSection({ hosts: ['zk1:2181', 'zk2', ' zk3:2182 '] });
    const fromString = parseZooKeeperSection({ hosts: 'zk1:2181,zk2, zk3:2182' });
    for (const result of [fromList, fromString]) {
      expect(result.ok && result.value.hosts).toEqual(['zk1:2181', 'zk2:2181', 'zk3:2182']);
      expect(result.ok && result.value.chroot).toBeNull();
    }
  });

  it('takes a chroot written after the hosts', () => {
    const result = parseZooKeeperSection({ hosts: 'zk1:2181,zk2:2181/patroni/prod' });
    expect(result.ok && result.value).toMatchObject({ hosts: ['zk1:2181', 'zk2:2181'], chroot: '/patroni/prod' });
  });

  it('requires hosts and names the key when they are missing or wrong', () => {
    expect(issues({})).toEqual([expect.stringMatching(/^zookeeper\.hosts: is required/)]);
    expect(issues({ hosts: '' })[0]).toMatch(/^zookeeper\.hosts = "": names no server/);
    expect(issues({ hosts: ['zk1:99999'] })[0]).toMatch(/port 99999, outside 1–65535/);
    expect(issues({ hosts: ['[::1]:2181'] })[0]).toMatch(/IPv6 literals are not supported/);
    expect(issues({ hosts: 42 })[0]).toMatch(/^zookeeper\.hosts = 42: is required/);
    expect(issues('zk1:2181')[0]).toMatch(/^zookeeper = "zk1:2181": must be a mapping/);
  });

  it('refuses use_ssl: true with the reason and the way out', () => {
    for (const value of [true, 'true', 'on']) {
      const [message] = issues({ hosts: 'zk1:2181', use_ssl: value });
      expect(message).toMatch(/^zookeeper\.use_ssl/);
      expect(message).toMatch(/TLS is not supported: the pinned ZooKeeper client \(node-zookeeper-client 1\.1\.3\) cannot speak TLS/);
      expect(message).toMatch(/use_ssl to false/);
    }
    const off = parseZooKeeperSection({ hosts: 'zk1:2181', use_ssl: 'false', verify: 'off', cacert: '/etc/ca.pem' });
    expect(off.ok && off.value).toMatchObject({ verify: false, cacert: '/etc/ca.pem' });
  });

  it('parses set_acls with explicit schemes and refuses bare x509 principals', () => {
    const result = parseZooKeeperSection({
      hosts: 'zk1',
      set_acls: { 'digest:admin:abc=': ['all'], 'world:anyone': 'READ' },
    });
    expect(result.ok && result.value.acls).toEqual([
      { scheme: 'digest', id: 'admin:abc=', permissions: ['ALL'] },
      { scheme: 'world', id: 'anyone', permissions: ['READ'] },
    ]);
    expect(issues({ hosts: 'zk1', set_acls: { 'CN=patroni': ['ALL'] } })[0]).toMatch(/x509 ACLs need a TLS client certificate/);
    expect(issues({ hosts: 'zk1', set_acls: { 'ip:10.0.0.1': ['FLY'] } })[0]).toMatch(/zookeeper\.set_acls\.ip:10\.0\.0\.1 = "FLY": is not a permission/);
  });

  it('parses auth_data and never shows a credential or key password in an issue', () => {
    const result = parseZooKeeperSection({ hosts: 'zk1', auth_data: { digest: 'user:secret' }, key_password: 'hunter2' });
    expect(result.ok && result.value.authData).toEqual([{ scheme: 'digest', credential: 'user:secret' }]);
    const refused = issues({ hosts: 'zk1', auth_data: { digest: 12345 }, key_password: ['hunter2'] }).join('\n');
    expect(refused).toMatch(/zookeeper\.auth_data/);
    expect(refused).toMatch(/zookeeper\.key_password/);
    expect(refused).not.toMatch(/12345|hunter2/);
  });
});
