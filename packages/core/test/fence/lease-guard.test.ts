/**
 * The HA loop asks the fence's lease guard two things every cycle: how early the guard
 * acts, and (on a follower) whether to disarm. Neither may read the guard's files:
 * state() reads the report and /proc/uptime, which an idle agent would pay each second.
 */
import { describe, expect, it } from 'vitest';
import { fenceLeaseGuard, silentLogger, type FenceControl, type FenceState } from '../../src/index.js';

function countingFence(armed: boolean): FenceControl & { stateCalls: number; disarms: string[] } {
  const fence = {
    stateCalls: 0,
    disarms: [] as string[],
    arm: async () => undefined,
    disarm: async (reason: string) => {
      fence.disarms.push(reason);
    },
    state: (): FenceState => {
      fence.stateCalls += 1;
      return { enabled: true, armed, deadline: null, validUntil: null, marginMs: 2000, guardPid: 1, fencedCount: 0, lastFence: null };
    },
    marginMs: () => 2000,
    sentArmed: () => armed,
  };
  return fence;
}

describe('the fence as a lease guard', () => {
  it('answers the per-cycle questions without state()', async () => {
    const disarmed = countingFence(false);
    const guard = fenceLeaseGuard(disarmed, silentLogger);
    expect(guard.actsBeforeExpiryMs?.()).toBe(2000);
    await guard.disarm('not the leader');
    expect(disarmed.disarms).toEqual([]);
    expect(disarmed.stateCalls).toBe(0);
  });

  it('disarms a guard whose last heartbeat armed it', async () => {
    const armed = countingFence(true);
    await fenceLeaseGuard(armed, silentLogger).disarm('demoted');
    expect(armed.disarms).toEqual(['demoted']);
  });
});
