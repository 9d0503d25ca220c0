/**
 * The HA loop must never die: an unexpected error in one cycle (a bug, a value nothing
 * validated) is logged and counted, and the next cycle runs on time. A loop that stopped
 * would leave its primary to the fence and the cluster without anyone to take over.
 */
import { describe, expect, it } from 'vitest';
import { Dcs, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom, silentLogger, type Logger } from '../../src/index.js';
import { buildNode } from './build-node.js';
import { FakePostgres } from './fake-postgres.js';
import { nodeConfig } from './fixtures.js';

class ThrowingPostgres extends FakePostgres {
  throwsLeft = 0;
  override async isRunning(): Promise<boolean> {
    if (this.throwsLeft > 0) {
      this.throwsLeft -= 1;
      throw new TypeError('Cannot convert object to primitive value');
    }
    return super.isRunning();
  }
}

describe('the HA loop survives an unexpected error', () => {
  it('logs and counts it, and keeps cycling: the leader keeps its lock', async () => {
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'alive' });
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m: string) => void errors.push(m) };
    const pg = new ThrowingPostgres('n1', { role: 'primary', wal: 5000 });
    const dcs = new Dcs({ adapter: new MemoryDcs({ server, layout, name: 'n1', ttlSeconds: 30 }), timing: { ttl: 30, loopWait: 10, retryTimeout: 10 }, clock, random: seededRandom(1) });
    const loop = buildNode({ dcs, postgres: pg, clock, logger, node: nodeConfig({ name: 'n1', bootstrapDcsConfig: { ttl: 30, loop_wait: 10 } }) });
    loop.start();
    for (let i = 0; i < 20; i++) await clock.advance(100);
    expect(server.get(layout.key('leader'))?.value).toBe('n1');
    const before = loop.getStatus().cycle;
    pg.throwsLeft = 3;
    // Three cycles fail in a row (one every loop_wait), then the loop carries on as before.
    for (let i = 0; i < 600; i++) await clock.advance(100);
    await loop.stop();
    const status = loop.getStatus();
    expect(status.cycleErrors).toBe(3);
    expect(status.cycle).toBeGreaterThan(before + 1);
    expect(errors.filter((e) => e.includes('Cannot convert object to primitive value'))).toHaveLength(3);
    expect(server.get(layout.key('leader'))?.value).toBe('n1');
    expect(status.message).toBe('no action. I am (n1), the leader with the lock');
  });
});
