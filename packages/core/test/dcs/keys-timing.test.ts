import { describe, expect, it } from 'vitest';
import { FAST_FAILOVER_MINIMUM_TIMING, KeyLayout, normalizeTiming } from '../../src/index.js';

describe('KeyLayout', () => {
  it('collapses runs of / in the namespace and ends the prefix with /', () => {
    for (const namespace of ['service', '/service', '/service/', '//service//']) {
      const layout = new KeyLayout({ namespace, scope: 'batman' });
      expect(layout.base).toBe('/service/batman');
      expect(layout.prefix).toBe('/service/batman/');
    }
    expect(new KeyLayout({ scope: 'batman' }).key('leader')).toBe('/service/batman/leader');
    expect(new KeyLayout({ scope: 'batman' }).member('n1')).toBe('/service/batman/members/n1');
  });

  it('drops the leading / for Consul', () => {
    expect(new KeyLayout({ scope: 'batman', leadingSlash: false }).key('leader')).toBe('service/batman/leader');
  });

  it('never maps a key of batman2 into batman', () => {
    const layout = new KeyLayout({ scope: 'batman' });
    expect(layout.relative('/service/batman2/leader')).toBeNull();
    expect(layout.relative('/service/batman/members/n1')).toBe('members/n1');
  });

  it('refuses an empty scope', () => {
    expect(() => new KeyLayout({ scope: ' ' })).toThrow(/scope/);
  });
});

describe('normalizeTiming (loop_wait + 2*retry_timeout <= ttl)', () => {
  it('keeps valid values and defaults to 30/10/10', () => {
    expect(normalizeTiming({})).toMatchObject({ ttl: 30, loopWait: 10, retryTimeout: 10, adjustments: [] });
    expect(normalizeTiming({ ttl: 20, loopWait: 1, retryTimeout: 3 })).toMatchObject({ ttl: 20, loopWait: 1, retryTimeout: 3, adjustments: [] });
  });

  it('raises values below the minimums 20/1/3', () => {
    const t = normalizeTiming({ ttl: 5, loopWait: 0, retryTimeout: 1 });
    expect(t).toMatchObject({ ttl: 20, loopWait: 1, retryTimeout: 3 });
    expect(t.adjustments.join('\n')).toMatch(/ttl=5 is below the minimum 20/);
  });

  it('lowers loop_wait when the rule is violated', () => {
    const t = normalizeTiming({ ttl: 30, loopWait: 15, retryTimeout: 10 });
    expect(t).toMatchObject({ ttl: 30, loopWait: 10, retryTimeout: 10 });
    expect(t.adjustments[0]).toMatch(/loop_wait \+ 2\*retry_timeout <= ttl/);
  });

  it('lowers retry_timeout when loop_wait would drop below 1', () => {
    expect(normalizeTiming({ ttl: 20, loopWait: 5, retryTimeout: 10 })).toMatchObject({ ttl: 20, loopWait: 1, retryTimeout: 9 });
  });
});

describe('normalizeTiming with a lower floor (pgwarden.fast_failover)', () => {
  it('keeps ttl 8 / loop_wait 1 / retry_timeout 2, and raises what is below that floor', () => {
    expect(normalizeTiming({ ttl: 8, loopWait: 1, retryTimeout: 2 }, FAST_FAILOVER_MINIMUM_TIMING)).toMatchObject({ ttl: 8, loopWait: 1, retryTimeout: 2, adjustments: [] });
    const low = normalizeTiming({ ttl: 5, loopWait: 1, retryTimeout: 1 }, FAST_FAILOVER_MINIMUM_TIMING);
    expect(low).toMatchObject({ ttl: 8, retryTimeout: 2 });
    expect(low.adjustments.join('\n')).toMatch(/ttl=5 is below the minimum 8/);
  });

  it("without it, the same values go up to Patroni's minimums", () => {
    expect(normalizeTiming({ ttl: 8, loopWait: 1, retryTimeout: 2 })).toMatchObject({ ttl: 20, retryTimeout: 3 });
  });
});

