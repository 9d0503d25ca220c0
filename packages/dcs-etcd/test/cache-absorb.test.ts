/**
 * A read's range of the prefix brings the watch copy up to the range's revision
 * (WatchCache.absorb): keys take their version from the range unless the copy already
 * holds a newer one, keys the range no longer has are deleted as of its revision, the
 * differences are reported as events, and the copy then counts as complete up to that
 * revision. The copy is a live one over a real etcd; the ranges are written out here so
 * that they can be ahead of the watch, as a range is when its events are still on their way.
 */
import { KeyLayout, silentLogger, systemClock, type DcsWatchEvent } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, expect, it } from 'vitest';
import { WatchCache } from '../src/cache.js';
import { Endpoints } from '../src/client.js';
import type { KeyValue } from '../src/wire.js';
import { rawClient } from './support/etcd-target.js';

let etcd: EtcdCluster | undefined;
afterAll(async () => {
  await etcd?.close();
});

const kv = (key: string, value: string, revision: bigint): KeyValue => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  lease: '0',
  mod_revision: String(revision),
  create_revision: String(revision),
});

it('takes newer keys from the range, deletes the ones it lacks, keeps newer own writes, and covers its revision', async () => {
  etcd = await startEtcd();
  const raw = rawClient(etcd);
  await raw.put('/service/absorb/config', '{"ttl":10}');
  await raw.put('/service/absorb/initialize', '1');
  const endpoints = new Endpoints({ section: { hosts: [...etcd.hosts], protocol: 'http' }, clock: systemClock, logger: silentLogger });
  const events: DcsWatchEvent[] = [];
  const cache = new WatchCache({ endpoints, layout: new KeyLayout({ scope: 'absorb' }), clock: systemClock, logger: silentLogger, buildTimeoutMs: 3000, onEvent: (e) => events.push(e) });
  try {
    cache.start();
    const until = Date.now() + 10_000;
    while (!(cache.isLive && cache.snapshot()?.length === 2)) {
      if (Date.now() > until) throw new Error('the watch copy never went live');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const now = BigInt((await raw.kv('/service/absorb/initialize'))!.mod_revision);
    const ahead = now + 10n;
    expect(cache.covers(String(ahead))).toBe(false);

    // An own write newer than the range stays; config changed; initialize gone.
    cache.applyPut('/service/absorb/failover', 'a:b', '0', String(ahead + 5n));
    cache.absorb({ header: { revision: String(ahead) }, kvs: [kv('/service/absorb/config', '{"ttl":20}', now + 3n)] });

    const values = Object.fromEntries((cache.snapshot() ?? []).map((entry) => [entry.key, entry.value]));
    expect(values).toEqual({ config: '{"ttl":20}', failover: 'a:b' });
    expect(events).toEqual(expect.arrayContaining([{ key: 'config', type: 'put' }, { key: 'initialize', type: 'delete' }]));
    expect(cache.covers(String(ahead))).toBe(true);
    expect(cache.covers(String(ahead + 1n))).toBe(false);

    // A late event older than what the range showed does not undo it.
    const late = events.length;
    cache.absorb({ header: { revision: String(now) }, kvs: [kv('/service/absorb/config', '{"ttl":10}', now - 1n), kv('/service/absorb/initialize', '1', now)] });
    expect(cache.lookup('/service/absorb/config')?.value).toBe('{"ttl":20}');
    expect(cache.lookup('/service/absorb/initialize')).toBeNull();
    expect(events.length).toBe(late);
    expect(cache.covers(String(ahead))).toBe(true);
  } finally {
    cache.close();
    endpoints.close();
    raw.close();
  }
});
