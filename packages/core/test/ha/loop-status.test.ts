/**
 * What the REST API serves comes from the loop's last cycle, without I/O of its own
 * (found while attaching the agent's RestApiServer to HaLoop in the demo: getStatus()
 * had neither the monitoring query's result nor the DCS snapshot, so /patroni could not
 * report WAL positions and peers could not compare them in a leader race).
 */
import { describe, expect, it } from 'vitest';
import { Dcs, HaLoop, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom, type HaStatus } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { buildNode } from './build-node.js';
import { nodeConfig } from './fixtures.js';

describe('HaLoop.getStatus', () => {
  it("carries the cycle's observation and DCS snapshot", async () => {
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'status' });
    const pg = new FakePostgres('n1', { role: 'primary', wal: 7000 });
    const loop = buildNode({
      dcs: new Dcs({ adapter: new MemoryDcs({ server, layout, name: 'n1', ttlSeconds: 30 }), timing: { ttl: 30, loopWait: 10, retryTimeout: 10 }, clock, random: seededRandom(1) }),
      postgres: pg,
      clock,
      random: seededRandom(2),
      node: nodeConfig({ name: 'n1', apiUrl: 'http://n1:8008/patroni', connUrl: 'postgres://n1:5432/postgres' }),
    });
    expect(loop.getStatus()).toMatchObject({ observation: null, cluster: null });
    let done: HaStatus | null = null;
    const cycle = loop.runCycle().then((s) => (done = s));
    for (let i = 0; i < 400 && done === null; i++) await clock.advance(100);
    await cycle;
    expect(done!.message).toBe('acquired session lock as a leader');
    const status = loop.getStatus();
    expect(status.observation).toMatchObject({ inRecovery: false, walPosition: 7000 });
    // The snapshot the cycle decided on (taken before it acquired the lock).
    expect(status.cluster).not.toBeNull();
    expect(status.cluster!.members.map((m) => m.name)).toEqual([]);
    // The next cycle sees itself as leader and a member.
    const next = loop.runCycle();
    for (let i = 0; i < 400; i++) await clock.advance(100);
    await next;
    expect(loop.getStatus().cluster?.leader?.name).toBe('n1');
    expect(loop.getStatus().cluster?.members.map((m) => m.name)).toEqual(['n1']);
  });
});
