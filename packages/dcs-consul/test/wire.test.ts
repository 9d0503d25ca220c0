/**
 * What the adapter puts on the wire, read back with plain HTTP: Patroni's key paths
 * without a leading '/', the session Patroni creates, member keys bound to it, the
 * agent's minimum session TTL applied, and service registration.
 */
import { Dcs, KeyLayout, MemoryLogger, systemClock } from '@pgwarden/core';
import { startConsulDouble, type ConsulDouble } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dcsAdapter, type ConsulDcs } from '../src/index.js';
import { consulSection } from './target.js';

let consul: ConsulDouble;
let scopeN = 0;
const adapters: ConsulDcs[] = [];

async function member(name: string, options: { ttl?: number; extra?: Record<string, unknown>; logger?: MemoryLogger; scope?: string } = {}) {
  const scope = options.scope ?? `wire${++scopeN}`;
  const adapter = (await dcsAdapter.create({
    section: consulSection(consul.url, options.extra),
    layout: new KeyLayout({ scope }),
    name,
    ttlSeconds: options.ttl ?? 2,
    loopWaitSeconds: 1,
    retryTimeoutSeconds: 2,
    clock: systemClock,
    logger: options.logger ?? new MemoryLogger(),
  })) as ConsulDcs;
  adapters.push(adapter);
  return { adapter, scope, dcs: new Dcs({ adapter, timing: { ttl: options.ttl ?? 2, loopWait: 1, retryTimeout: 2 } }) };
}

const kv = async (path: string): Promise<{ Value: string | null; Session?: string }[] | null> => {
  const res = await fetch(`${consul.url}/v1/kv/${path}`);
  return res.status === 404 ? null : ((await res.json()) as { Value: string | null; Session?: string }[]);
};
const raw = async (path: string): Promise<string | null> => {
  const entries = await kv(path);
  return entries?.[0]?.Value ? Buffer.from(entries[0].Value, 'base64').toString() : null;
};

beforeAll(async () => {
  consul = await startConsulDouble({ sessionTtlMin: '1s' });
});
afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  await consul?.close();
});

describe('Consul wire format', () => {
  it('creates the session Patroni creates and binds leader and member keys to it', async () => {
    const { dcs, adapter, scope } = await member('node1');
    await dcs.touchMember({ conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'primary' });
    expect((await dcs.acquireLeader()).kind).toBe('held');
    const id = adapter.session.id!;
    const [info] = (await (await fetch(`${consul.url}/v1/session/info/${id}`)).json()) as Record<string, unknown>[];
    expect(info).toMatchObject({ Name: `${scope}-node1`, TTL: '1s', Behavior: 'delete', LockDelay: 1_000_000, NodeChecks: [] });
    expect(await raw(`service/${scope}/leader`)).toBe('node1');
    expect((await kv(`service/${scope}/leader`))![0]!.Session).toBe(id);
    expect((await kv(`service/${scope}/members/node1`))![0]!.Session).toBe(id);
  });

  it('writes the other keys in Patroni\'s formats, with ?cas on versions', async () => {
    const { dcs, scope } = await member('node1');
    await dcs.writeSync('node1', ['node3', 'node2']);
    await dcs.clearFailover();
    await dcs.writeStatus({ lastLsn: 67108960, slots: { perm: 5 } });
    expect(await raw(`service/${scope}/sync`)).toBe('{"leader":"node1","sync_standby":"node2,node3"}');
    expect(await raw(`service/${scope}/failover`)).toBe('{}');
    expect(await raw(`service/${scope}/status`)).toBe('{"optime":67108960,"slots":{"perm":5}}');
    const loaded = await dcs.loadCluster();
    if (loaded.kind !== 'loaded') throw new Error('load failed');
    expect(await dcs.writeSync('node1', ['node2'], String(Number(loaded.cluster.sync.version) - 1))).toEqual({ kind: 'conflict' });
  });

  it('reads Patroni 3.x values written raw', async () => {
    const { dcs, scope } = await member('reader');
    const put = (key: string, value: string) => fetch(`${consul.url}/v1/kv/service/${scope}/${key}`, { method: 'PUT', body: value });
    await put('members/old', '{"conn_url":"postgres://h:5432/postgres","api_url":"http://h:8008/patroni","state":"running","role":"master","version":"3.3.1"}');
    await put('leader', 'old');
    await put('failover', 'old:reader');
    const loaded = await dcs.loadCluster();
    if (loaded.kind !== 'loaded') throw new Error('load failed');
    expect(loaded.cluster.leader?.member.data.role).toBe('master');
    expect(loaded.cluster.failover).toMatchObject({ leader: 'old', candidate: 'reader' });
  });

  it('raises a ttl below the agent minimum to it, says so, and promises the lock for 2 × the minimum', async () => {
    const strict = await startConsulDouble({ sessionTtlMin: '10s' });
    try {
      const logger = new MemoryLogger();
      const adapter = (await dcsAdapter.create({
        section: consulSection(strict.url),
        layout: new KeyLayout({ scope: 'ttlmin' }),
        name: 'n1',
        ttlSeconds: 2,
        loopWaitSeconds: 1,
        retryTimeoutSeconds: 2,
        clock: systemClock,
        logger,
      })) as ConsulDcs;
      const dcs = new Dcs({ adapter, timing: { ttl: 2, loopWait: 1, retryTimeout: 2 } });
      const before = systemClock.now();
      const held = await dcs.acquireLeader();
      expect(held.kind).toBe('held');
      if (held.kind === 'held') expect(held.validUntil - before).toBeGreaterThanOrEqual(20_000 - 1);
      expect(logger.messages('warn').join('\n')).toMatch(/below the agent's SessionTTLMin 10 s/);
      await adapter.close();
    } finally {
      await strict.close();
    }
  });

  it('registers a service with role tags and a check on /<role>, and deregisters it when stopped', async () => {
    const { dcs, scope } = await member('node1', { extra: { register_service: true, service_tags: ['db'] } });
    const data = { conn_url: 'postgres://127.0.0.1:5433/postgres', api_url: 'http://127.0.0.1:8009/patroni', role: 'primary' };
    await dcs.touchMember({ ...data, state: 'running' });
    const services = (await (await fetch(`${consul.url}/v1/agent/services`)).json()) as Record<string, Record<string, unknown>>;
    expect(services[`${scope}/node1`]).toMatchObject({ Name: scope, Port: 5433, Tags: ['db', 'primary', 'master'], EnableTagOverride: true });
    expect(JSON.stringify(services[`${scope}/node1`])).toContain('http://127.0.0.1:8009/primary');
    await dcs.touchMember({ ...data, state: 'stopped' });
    expect(await (await fetch(`${consul.url}/v1/agent/services`)).json()).not.toHaveProperty(`${scope}/node1`);
  });

  it('names the agent it could not reach at start', async () => {
    await expect(
      dcsAdapter.create({
        section: consulSection('http://127.0.0.1:1'),
        layout: new KeyLayout({ scope: 'x' }),
        name: 'n',
        ttlSeconds: 30,
        loopWaitSeconds: 10,
        retryTimeoutSeconds: 10,
        clock: systemClock,
        logger: new MemoryLogger(),
      }),
    ).rejects.toThrow(/cannot reach the Consul agent at http:\/\/127\.0\.0\.1:1/);
  });

  it("takes its own leader key back from a dead process's session, never another member's", async () => {
    const before = await member('n1', { ttl: 20 });
    expect((await before.dcs.acquireLeader()).kind).toBe('held');
    const deadSession = (await kv(`service/${before.scope}/leader`))![0]!.Session;
    before.adapter.abandon(); // the agent process dies: nothing renews or releases its session

    const refresh = async (d: Awaited<ReturnType<typeof member>>) => {
      const loaded = await d.dcs.loadCluster();
      return d.dcs.refreshLeader(loaded.kind === 'loaded' ? loaded.cluster : null);
    };
    const other = await member('n2', { ttl: 20, scope: before.scope });
    expect(await refresh(other)).toMatchObject({ kind: 'lost', reason: 'held-by-other', holder: 'n1' });
    expect((await kv(`service/${before.scope}/leader`))![0]!.Session).toBe(deadSession);

    const after = await member('n1', { ttl: 20, scope: before.scope });
    expect((await refresh(after)).kind).toBe('held');
    const now = (await kv(`service/${before.scope}/leader`))![0]!;
    expect(Buffer.from(now.Value!, 'base64').toString()).toBe('n1');
    expect(now.Session).toBeDefined();
    expect(now.Session).not.toBe(deadSession);
    expect((await refresh(after)).kind).toBe('held');
  });
});
