/** What is particular to ZooKeeper, beyond the shared conformance kit. */
import { createHash } from 'node:crypto';
import { DcsError, KeyLayout, silentLogger, systemClock, type DcsCallContext } from '@pgwarden/core';
import { startZooKeeper, type ZooKeeperServer } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperDcs } from '../src/adapter.js';
import { dcsAdapter } from '../src/module.js';
import { freshScope, member, ownerOf, rawClient, section, waitFor, type Member, type RawZk } from './support.js';

function ctx(ms = 2000): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: systemClock.now() + ms };
}

describe('ZooKeeper adapter', () => {
  let zk: ZooKeeperServer;
  let raw: RawZk;
  const open: Member[] = [];
  const join = async (scope: string, name: string, options: Parameters<typeof member>[3] = {}): Promise<Member> => {
    const m = await member(zk, scope, name, options);
    open.push(m);
    return m;
  };

  beforeAll(async () => {
    zk = await startZooKeeper();
    raw = await rawClient(zk);
  });

  afterAll(async () => {
    await Promise.all(open.map((m) => m.dcs.close().catch(() => undefined)));
    await raw?.close();
    await zk?.close();
  });

  it('asks for ttl as the session timeout and reports what the server granted', async () => {
    // The testkit's server allows 1–30 s: 60 s is clamped to 30 s.
    const m = await join(freshScope('granted'), 'a', { ttl: 60, retryTimeout: 10 });
    expect(m.adapter.grantedTimeoutMs).toBe(30_000);
    expect(m.logger.messages('warn').join('\n')).toMatch(/granted a session timeout of 30000 ms instead of the 60000 ms asked/);
    const before = systemClock.now();
    const held = await m.dcs.acquireLeader();
    const after = systemClock.now();
    if (held.kind !== 'held') throw new Error(`expected held, got ${held.kind}`);
    expect(held.validUntil).toBeGreaterThanOrEqual(before + 30_000);
    expect(held.validUntil).toBeLessThanOrEqual(after + 30_000);

    const asked = await join(freshScope('granted'), 'b', { ttl: 3 });
    expect(asked.adapter.grantedTimeoutMs).toBe(3000);
    expect(asked.logger.messages('warn')).toEqual([]);
  });

  it('treats version 0 as a real CAS (Patroni writes unconditionally) and reports mzxid as the config modify version', async () => {
    const scope = freshScope('cas0');
    const m = await join(scope, 'a');
    expect(await m.dcs.writeConfig({ ttl: 30 }, undefined)).toEqual({ kind: 'written', version: '0' });
    expect(await m.dcs.writeConfig({ ttl: 31 }, '0')).toEqual({ kind: 'written', version: '1' });
    expect(await m.dcs.writeConfig({ ttl: 32 }, '0')).toEqual({ kind: 'conflict' });
    expect(await m.dcs.writeConfig({ ttl: 32 }, 'not-a-version')).toEqual({ kind: 'conflict' });
    const first = await m.dcs.loadCluster();
    if (first.kind !== 'loaded') throw first.cause;
    expect(first.cluster.config).toMatchObject({ version: '1', data: { ttl: 31 } });

    // Deleted and re-created: the znode version restarts at 0, the mzxid does not.
    const path = `/service/${scope}/config`;
    await new Promise<void>((resolve, reject) => raw.client.remove(path, -1, (e) => (e ? reject(e) : resolve())));
    expect((await m.dcs.writeConfig({ ttl: 33 })).kind).toBe('written');
    const second = await m.dcs.loadCluster();
    if (second.kind !== 'loaded') throw second.cause;
    expect(second.cluster.config?.version).toBe('0');
    expect(second.cluster.config?.modifyVersion).not.toBe(first.cluster.config?.modifyVersion);
    expect(BigInt(second.cluster.config!.modifyVersion)).toBeGreaterThan(BigInt(first.cluster.config!.modifyVersion));
  });

  it('releases the lock by restarting the session, then re-creates its member znode in the new one', async () => {
    const scope = freshScope('release');
    const a = await join(scope, 'a');
    const b = await join(scope, 'b');
    await a.dcs.touchMember({ state: 'running', role: 'primary' });
    expect((await a.dcs.acquireLeader()).kind).toBe('held');
    const before = a.adapter.sessionId;
    expect(await a.dcs.releaseLeader()).toEqual({ kind: 'released' });
    // The lock is free at once: the server deleted the ephemerals before answering.
    expect((await b.dcs.acquireLeader()).kind).toBe('held');
    const after = a.adapter.sessionId;
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    const memberNode = await raw.get(`/service/${scope}/members/a`);
    expect(memberNode && ownerOf(memberNode.stat)).toBe(after);
    expect(JSON.parse(memberNode!.value.toString())).toEqual({ state: 'running', role: 'primary' });
  });

  it('replaces a member znode that belongs to another session with one of its own', async () => {
    const scope = freshScope('owner');
    await raw.put(`/service/${scope}/members`, '');
    await raw.createEphemeral(`/service/${scope}/members/a`, '{"state":"running"}');
    const a = await join(scope, 'a');
    const loaded = await a.dcs.loadCluster();
    if (loaded.kind !== 'loaded') throw loaded.cause;
    expect(loaded.cluster.members[0]?.session).toBe(raw.sessionId());
    // Same value, other owner: it must still be re-created, or it would vanish with that session.
    expect((await a.dcs.touchMember({ state: 'running' })).kind).toBe('written');
    const node = await raw.get(`/service/${scope}/members/a`);
    expect(node && ownerOf(node.stat)).toBe(a.adapter.sessionId);
    expect(a.logger.messages('warn').join('\n')).toMatch(/re-creating member znode .* belongs to another ZooKeeper session/);
    // Unchanged and ours now: no write (the znode version stays put).
    expect((await a.dcs.touchMember({ state: 'running' })).kind).toBe('written');
    expect((await raw.get(`/service/${scope}/members/a`))!.stat.mzxid.equals(node!.stat.mzxid)).toBe(true);
  });

  it('creates znodes with the configured ACL and authenticates with auth_data', async () => {
    const scope = freshScope('acl');
    const digest = createHash('sha1').update('pgwarden:s3cret').digest('base64');
    const a = await join(scope, 'a', {
      section: {
        acls: [
          { scheme: 'digest', id: `pgwarden:${digest}`, permissions: ['ALL'] },
          { scheme: 'world', id: 'anyone', permissions: ['READ'] },
        ],
        authData: [{ scheme: 'digest', credential: 'pgwarden:s3cret' }],
      },
    });
    expect((await a.dcs.writeConfig({ ttl: 30 })).kind).toBe('written');
    expect((await a.dcs.acquireLeader()).kind).toBe('held');
    const acl = await new Promise<{ id: { scheme: string; id: string } }[]>((resolve, reject) =>
      raw.client.getACL(`/service/${scope}/config`, (e, acls) => (e ? reject(e) : resolve(acls as unknown as { id: { scheme: string; id: string } }[]))),
    );
    // ZooKeeper 3.8 shows digest ids with the hash masked (`user:x`) to clients that are not their owner.
    expect(acl.map((x) => `${x.id.scheme}:${x.id.id.replace(/:.*/, ':…')}`).sort()).toEqual(['digest:pgwarden:…', 'world:anyone']);
    // Without the credential: readable, not writable.
    expect(await raw.text(`/service/${scope}/config`)).toBe('{"ttl":30}');
    await expect(raw.put(`/service/${scope}/config`, '{}')).rejects.toMatchObject({ name: 'NO_AUTH' });
    // Another member with the credential can write.
    const b = await join(scope, 'b', { section: { authData: [{ scheme: 'digest', credential: 'pgwarden:s3cret' }] } });
    expect((await b.dcs.writeConfig({ ttl: 31 })).kind).toBe('written');
  });

  it('fails fast while the server is down and keeps its session across a quick restart', async () => {
    const scope = freshScope('restart');
    const a = await join(scope, 'a', { ttl: 10, retryTimeout: 3 });
    await a.dcs.touchMember({ state: 'running' });
    expect((await a.dcs.acquireLeader()).kind).toBe('held');
    const session = a.adapter.sessionId;
    await zk.stop();
    try {
      const started = systemClock.now();
      await expect(a.adapter.refreshLeader(null, ctx())).rejects.toMatchObject({ code: 'connection-failed', transient: true });
      expect(systemClock.now() - started).toBeLessThan(200);
    } finally {
      await zk.start();
    }
    // Reconnected with the same session: the ephemerals never went away.
    const held = await waitFor('the lock to be confirmed again', async () => {
      const outcome = await a.dcs.refreshLeader(null);
      return outcome.kind === 'held' ? outcome : undefined;
    }, 8000);
    expect(held.kind).toBe('held');
    expect(a.adapter.sessionId).toBe(session);
    // A new plain client: the shared one may still be reconnecting.
    const fresh = await rawClient(zk);
    try {
      expect(ownerOf((await fresh.get(`/service/${scope}/members/a`))!.stat)).toBe(session);
    } finally {
      await fresh.close();
    }
  });

  it('names the hosts it tried when none answers at start', async () => {
    const started = systemClock.now();
    const failure = dcsAdapter.create({
      section: { ...section(zk), hosts: ['127.0.0.1:1', '127.0.0.1:9'] },
      layout: new KeyLayout({ scope: 'unreachable' }),
      name: 'a',
      ttlSeconds: 2,
      loopWaitSeconds: 1,
      retryTimeoutSeconds: 1,
      clock: systemClock,
      logger: silentLogger,
    });
    await expect(failure).rejects.toBeInstanceOf(DcsError);
    await expect(failure).rejects.toMatchObject({ code: 'connection-failed', message: expect.stringMatching(/127\.0\.0\.1:1, 127\.0\.0\.1:9/) });
    expect(systemClock.now() - started).toBeLessThan(3000);
  });

  it('refuses every call once closed', async () => {
    const a = await join(freshScope('closed'), 'a');
    await a.dcs.close();
    await expect(a.adapter.acquireLeader(ctx())).rejects.toMatchObject({ code: 'closed' });
    expect(a.adapter).toBeInstanceOf(ZooKeeperDcs);
  });
});
