/**
 * `pgwarden.fast_failover`: a ttl below Patroni's 20 s is honoured only where a lease
 * guard stops a primary that cannot renew (the fence, or a required watchdog); anywhere
 * else the floor stays and the operator is told why.
 */
import { describe, expect, it } from 'vitest';
import { FAST_FAILOVER_MINIMUM_TIMING, MINIMUM_TIMING } from '@pgwarden/core';
import { timingFloorOf } from '../../src/config/timing-floor.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { adapters, VALID_YAML } from './helpers.js';

const FAST_DCS = { ttl: 8, loop_wait: 1, retry_timeout: 2 };

function config(extra: Record<string, unknown>): Record<string, unknown> {
  const base = parsePatroniYaml(VALID_YAML, 'test') as Record<string, unknown>;
  return { ...base, bootstrap: { ...(base['bootstrap'] as object), dcs: FAST_DCS }, ...extra };
}

describe('timingFloorOf', () => {
  it("keeps Patroni's floor unless fast_failover is on", () => {
    expect(timingFloorOf({})).toEqual({ floor: MINIMUM_TIMING, warning: null });
    expect(timingFloorOf({ pgwarden: { fast_failover: false } }).floor).toEqual(MINIMUM_TIMING);
  });

  it('lowers it with the fence on (its default), or a required watchdog with the fence off', () => {
    expect(timingFloorOf({ pgwarden: { fast_failover: true } })).toEqual({ floor: FAST_FAILOVER_MINIMUM_TIMING, warning: null });
    expect(timingFloorOf({ pgwarden: { fast_failover: 'on', fence: 'off' }, watchdog: { mode: 'required' } }).floor).toEqual(FAST_FAILOVER_MINIMUM_TIMING);
  });

  it('refuses it, naming what is missing, when nothing guards the lease', () => {
    const r = timingFloorOf({ pgwarden: { fast_failover: true, fence: 'off' }, watchdog: { mode: 'automatic' } });
    expect(r.floor).toEqual(MINIMUM_TIMING);
    expect(r.warning).toMatch(/pgwarden\.fast_failover.*pgwarden\.fence.*watchdog\.mode: required/);
  });
});

describe('bootstrap.dcs with a short ttl', () => {
  it('is raised to 20 without fast_failover, with the adjustment logged', () => {
    const r = validateConfig(config({}), { adapters });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.bootstrap.dcs.timing).toMatchObject({ ttl: 20, loopWait: 1, retryTimeout: 3 });
    expect(r.warnings.join('\n')).toMatch(/ttl=8 is below the minimum 20/);
  });

  it('is honoured as written with fast_failover and the fence', () => {
    const r = validateConfig(config({ pgwarden: { fast_failover: true } }), { adapters });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.bootstrap.dcs.timing).toMatchObject({ ttl: 8, loopWait: 1, retryTimeout: 2 });
    expect(r.warnings.join('\n')).not.toMatch(/below the minimum/);
  });

  it('still goes no lower than the fast floor', () => {
    const raw = config({ pgwarden: { fast_failover: true } });
    (raw['bootstrap'] as Record<string, unknown>)['dcs'] = { ttl: 4, loop_wait: 1, retry_timeout: 1 };
    const r = validateConfig(raw, { adapters });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.bootstrap.dcs.timing).toMatchObject({ ttl: 8, retryTimeout: 2 });
  });
});
