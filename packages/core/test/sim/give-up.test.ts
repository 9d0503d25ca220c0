import { describe, expect, it } from 'vitest';
import { GiveUp } from '../../sim/give-up.js';
import { commitIds } from '../../sim/wal.js';
import { manualWorld, primaryWithReplicas, until } from './helpers.js';

describe('GiveUp (a client timing out its commit)', () => {
  it('calls each listener once, in order, and not a removed one', () => {
    const giveUp = new GiveUp();
    const heard: string[] = [];
    giveUp.onAbort(() => heard.push('a'));
    const stop = giveUp.onAbort(() => heard.push('b'));
    giveUp.onAbort(() => heard.push('c'));
    stop();
    expect(giveUp.aborted).toBe(false);
    giveUp.abort();
    giveUp.abort();
    expect(giveUp.aborted).toBe(true);
    expect(heard).toEqual(['a', 'c']);
  });

  it('fails a commit waiting for a synchronous standby: durable locally, never acknowledged', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    await until(world, p!.setSynchronousStandbyNames('nobody'));
    const giveUp = new GiveUp();
    const commit = p!.commit('row-given-up', giveUp);
    await world.runFor(1000);
    giveUp.abort();
    expect(await until(world, commit)).toEqual({ kind: 'failed', reason: 'client gave up waiting for synchronous replication' });
    expect(commitIds(p!.wal).has('row-given-up')).toBe(true);
    expect(p!.acked.map((c) => c.id)).not.toContain('row-given-up');
  });

  it('refuses a commit whose client gave up before it was flushed', async () => {
    const world = manualWorld();
    const [p] = await primaryWithReplicas(world);
    const giveUp = new GiveUp();
    const commit = p!.commit('row-late', giveUp);
    giveUp.abort();
    expect(await until(world, commit)).toEqual({ kind: 'failed', reason: 'client gave up' });
  });
});
