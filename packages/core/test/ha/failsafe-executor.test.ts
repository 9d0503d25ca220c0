/**
 * Failsafe mode end to end through the executor (spec/ha.md §1.14): a leader whose DCS
 * becomes unavailable POSTs /failsafe to every other member listed in the last /failsafe
 * it published, through the injected poster, and stays primary only if every one of them
 * accepts; one refusal (or silence) demotes it `offline`.
 */
import { describe, expect, it } from 'vitest';
import type { FailsafeBody, PeerAddress } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

type Answer = 'accept' | 'refuse' | 'hang';

function cluster(answers: Record<string, Answer>) {
  const posts: { to: string; apiUrl: string; body: FailsafeBody }[] = [];
  const w = world({
    dcsConfig: { failsafe_mode: true },
    postFailsafe: async (peer: PeerAddress, body: FailsafeBody, signal: AbortSignal) => {
      posts.push({ to: peer.name, apiUrl: peer.apiUrl, body });
      const answer = answers[peer.name] ?? 'refuse';
      if (answer === 'hang') return new Promise<boolean>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      return answer === 'accept';
    },
  });
  const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
  const n1 = w.node('n1', p1);
  const n2 = w.node('n2', new FakePostgres('n2', { role: 'replica', wal: 5000 }));
  const n3 = w.node('n3', new FakePostgres('n3', { role: 'replica', wal: 5000 }));
  return { w, p1, n1, n2, n3, posts };
}

async function healthyThenOutage(c: ReturnType<typeof cluster>) {
  const { w, n1, n2, n3 } = c;
  expect((await w.step(n1)).message).toBe('acquired session lock as a leader');
  await w.step(n2);
  await w.step(n3);
  // The next renewal publishes /failsafe with all three members.
  expect((await w.step(n1)).message).toBe('no action. I am (n1), the leader with the lock');
  expect(JSON.parse(w.key('failsafe')!)).toEqual({
    n1: 'http://n1:8008/patroni',
    n2: 'http://n2:8008/patroni',
    n3: 'http://n3:8008/patroni',
  });
  // The leader acts on the /failsafe it last read, so one more cycle reads it back.
  await w.step(n1);
  expect(c.posts).toEqual([]);
  w.server.setMode('down');
  const before = w.clock.now();
  return { ...(await w.step(n1)), before };
}

describe('failsafe mode through the executor', () => {
  it('every member accepts: the leader stays primary and says so', async () => {
    const c = cluster({ n2: 'accept', n3: 'accept' });
    const s = await healthyThenOutage(c);
    expect(s.message).toBe('continue to run as a leader because failsafe mode is enabled and all members are accessible');
    expect(c.posts.map((p) => p.to).sort()).toEqual(['n2', 'n3']);
    expect(c.posts[0]!.body).toEqual({ name: 'n1', conn_url: 'postgres://n1:5432/postgres', api_url: 'http://n1:8008/patroni' });
    expect(c.posts.find((p) => p.to === 'n2')!.apiUrl).toBe('http://n2:8008/patroni');
    expect(c.p1.role).toBe('primary');
    expect(c.p1.calls.filter((x) => x.startsWith('stop'))).toEqual([]);
    expect(s.failsafeActive).toBe(true);
    // Consent extends leadership by ttl from now (Patroni: set_is_leader(True)).
    expect(s.lockValidUntil).toBeGreaterThanOrEqual(s.before + 30_000);
    expect(s.lockValidUntil).toBeLessThanOrEqual(c.w.clock.now() + 30_000);
  });

  it('one member refuses: the leader demotes offline', async () => {
    const c = cluster({ n2: 'accept', n3: 'refuse' });
    const s = await healthyThenOutage(c);
    expect(s.message).toBe('demoting self because DCS is not accessible and I was a leader');
    // Each member is asked, a refusal once more (one retry).
    expect(c.posts.filter((p) => p.to === 'n3')).toHaveLength(2);
    expect(c.p1.calls).toContain('stop:fast');
    expect(c.p1.role).toBe('replica');
    expect(s.failsafeActive).toBe(false);
    expect(s.lockValidUntil).toBeNull();
  });

  it('one member does not answer within the 2 s budget: the leader demotes offline', async () => {
    const c = cluster({ n2: 'hang', n3: 'accept' });
    const s = await healthyThenOutage(c);
    expect(s.message).toBe('demoting self because DCS is not accessible and I was a leader');
    expect(c.posts.filter((p) => p.to === 'n2')).toHaveLength(2);
    expect(c.p1.calls).toContain('stop:fast');
  });

  it('without failsafe_mode nobody is asked: the leader demotes offline at once', async () => {
    const posts: string[] = [];
    const w = world({ postFailsafe: async (peer) => (posts.push(peer.name), true) });
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const n1 = w.node('n1', p1);
    const n2 = w.node('n2', new FakePostgres('n2', { role: 'replica', wal: 5000 }));
    await w.step(n1);
    await w.step(n2);
    await w.step(n1);
    w.server.setMode('down');
    expect((await w.step(n1)).message).toBe('demoting self because DCS is not accessible and I was a leader');
    expect(posts).toEqual([]);
    expect(p1.calls).toContain('stop:fast');
  });
});
