import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '@pgwarden/core';
import { fenceTimingChecker } from '../../src/daemon/fence-timing-check.js';

describe('the fence timing check', () => {
  it('warns when a /config change leaves the leader no time after its renewal, once per timing', () => {
    const logger = new MemoryLogger();
    const check = fenceTimingChecker(2000, logger);
    check({ ttl: 8, loopWait: 1, retryTimeout: 2 });
    expect(logger.messages('warn')).toEqual([]);
    // ttl lowered to 7 through /config: 7 - 2 - 2 x 2 = 1 s is not enough.
    for (let i = 0; i < 3; i++) check({ ttl: 7, loopWait: 1, retryTimeout: 2 });
    expect(logger.messages('warn')).toHaveLength(1);
    expect(logger.messages('warn')[0]).toMatch(/^fence: .*fence_margin \(2s\) with ttl 7 and retry_timeout 2/);
    check({ ttl: 8, loopWait: 1, retryTimeout: 2 });
    check({ ttl: 7, loopWait: 1, retryTimeout: 3 });
    expect(logger.messages('warn')).toHaveLength(2);
  });
});
