import { formatConfigIssue } from '@pgwarden/core';
import { describe, expect, it } from 'vitest';
import { parseRedisSection, type RedisSection } from '../src/index.js';

function parsed(raw: unknown): RedisSection {
  const result = parseRedisSection(raw);
  if (!result.ok) throw new Error(result.issues.map(formatConfigIssue).join('\n'));
  return result.value;
}

function problems(raw: unknown): string[] {
  const result = parseRedisSection(raw);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  return result.issues.map(formatConfigIssue);
}

describe('redis section', () => {
  it('reads one server from hosts as a string, a list or host, with the default port', () => {
    expect(parsed({ hosts: '10.0.0.1:6380' }).topology).toEqual({ kind: 'standalone', host: { host: '10.0.0.1', port: 6380 } });
    expect(parsed({ hosts: ['redis.local'] }).topology).toEqual({ kind: 'standalone', host: { host: 'redis.local', port: 6379 } });
    expect(parsed({ host: '[::1]:7000' }).topology).toEqual({ kind: 'standalone', host: { host: '::1', port: 7000 } });
    expect(parsed({ hosts: '127.0.0.1' })).toEqual({ topology: { kind: 'standalone', host: { host: '127.0.0.1', port: 6379 } }, db: 0 });
  });

  it('reads sentinels (comma string or list, default port 26379) and the master name', () => {
    expect(parsed({ sentinels: '10.0.0.1,10.0.0.2:26380', sentinel_master: 'mymaster' }).topology).toEqual({
      kind: 'sentinel',
      master: 'mymaster',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
      ],
    });
  });

  it('reads credentials, db (also from an environment string) and TLS', () => {
    const section = parsed({ hosts: 'r:6379', username: 'pgwarden', password: 's3cret', db: '3', cacert: '/etc/ca.pem', cert: '/c.pem', key: '/k.pem' });
    expect(section).toMatchObject({ username: 'pgwarden', password: 's3cret', db: 3, tls: { cacert: '/etc/ca.pem', cert: '/c.pem', key: '/k.pem', verify: true } });
    expect(parsed({ hosts: 'r', tls: true }).tls).toEqual({ verify: true });
    expect(parsed({ hosts: 'r', tls: 'true', verify: false }).tls).toEqual({ verify: false });
    expect(parsed({ hosts: 'r', ca_cert: '/ca.pem' }).tls).toEqual({ cacert: '/ca.pem', verify: true });
    expect(parsed({ hosts: 'r', password: 'only-a-password' }).password).toBe('only-a-password');
    expect(parsed({ hosts: 'r' }).tls).toBeUndefined();
  });

  it('names the key and the fix for every mistake', () => {
    expect(problems(undefined)).toEqual([expect.stringMatching(/^redis: must be a mapping/)]);
    expect(problems({})).toEqual([expect.stringMatching(/^redis: needs hosts .* or sentinels \+ sentinel_master/)]);
    expect(problems({ hosts: 'a:6379,b:6379' })).toEqual([expect.stringMatching(/^redis\.hosts = "a:6379,b:6379": lists 2 servers.*redis\.sentinels/)]);
    expect(problems({ hosts: ['ok:1', 'bad:99999'] })).toEqual([expect.stringMatching(/^redis\.hosts\[1\] = "bad:99999": the port must be between 1 and 65535/)]);
    expect(problems({ hosts: 'redis://r:6379' })).toEqual([expect.stringMatching(/^redis\.hosts\[0\].*without a scheme/)]);
    expect(problems({ hosts: 42 })).toEqual([expect.stringMatching(/^redis\.hosts = 42: must be a list of host:port/)]);
    expect(problems({ hosts: [] })).toEqual([expect.stringMatching(/^redis\.hosts = \[\]: lists no server/)]);
    expect(problems({ sentinels: 's1' })).toEqual([expect.stringMatching(/^redis\.sentinel_master: must name the master group/)]);
    expect(problems({ hosts: 'r', sentinels: 's1', sentinel_master: 'm' })).toEqual([expect.stringMatching(/^redis\.hosts = "r": is set together with redis\.sentinels/)]);
    expect(problems({ hosts: 'r', sentinel_master: 'm' })).toEqual([expect.stringMatching(/^redis\.sentinel_master = "m": is set without redis\.sentinels/)]);
    expect(problems({ hosts: 'r', db: -1 })).toEqual([expect.stringMatching(/^redis\.db = -1: must be a database number/)]);
    expect(problems({ hosts: 'r', db: 'two' })).toEqual([expect.stringMatching(/^redis\.db = "two"/)]);
    expect(problems({ hosts: 'r', username: 'u' })).toEqual([expect.stringMatching(/^redis\.username = "u": is set without redis\.password/)]);
    expect(problems({ hosts: 'r', key: '/k.pem' })).toEqual([expect.stringMatching(/^redis\.key = "\/k\.pem": is set without redis\.cert/)]);
    expect(problems({ hosts: 'r', verify: 'no' })).toEqual([expect.stringMatching(/^redis\.verify = "no": must be true or false/)]);
    expect(problems({ hosts: 'r', verify: false })).toEqual([expect.stringMatching(/^redis\.verify = false: applies to TLS only/)]);
    expect(problems({ hosts: 'r', tls: false, cacert: '/ca.pem' })).toEqual([expect.stringMatching(/^redis\.tls = false: is false, but cacert/)]);
    expect(problems({ hosts: 'r', cacert: '/a.pem', ca_cert: '/b.pem' })).toEqual([expect.stringMatching(/^redis\.ca_cert = "\/b\.pem": conflicts with redis\.cacert/)]);
    expect(problems({ hosts: 'r', sentinel: ['s1'] })).toEqual([expect.stringMatching(/^redis\.sentinel: is not a redis option; known: .*sentinels/)]);
  });

  it('never echoes a password', () => {
    const messages = problems({ hosts: 'r', password: { not: 'a string' } });
    expect(messages).toEqual([expect.stringMatching(/^redis\.password = "\*\*\*\*\*\*": must be a string/)]);
    expect(messages.join('\n')).not.toContain('a string"');
  });
});
