/**
 * PATCH and PUT /config over HTTP consult the Patroni 4.1 key table: a refused dynamic
 * key (slots.<name>.cluster_type) fails the request naming it and writes nothing; a key
 * pgwarden honours (member_slots_ttl) is written without a warning.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@pgwarden/core';
import { dcsConfigKeyWarnings } from '../../src/api/config-keys.js';
import { RestApiServer } from '../../src/api/index.js';
import { primary } from './fixtures.js';
import { FixedSource, RecordingActions } from './harness.js';

let server: RestApiServer | undefined;
let actions: RecordingActions;
let logger: MemoryLogger;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<string> {
  actions = new RecordingActions();
  logger = new MemoryLogger();
  server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions, failoverPollIntervalMs: 5, logger });
  return server.url;
}

const send = (url: string, method: 'PATCH' | 'PUT', body: unknown) =>
  fetch(`${url}/config`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('/config and the Patroni 4.1 key table', () => {
  it('PATCH with slots.<name>.cluster_type is refused, naming the key, and nothing is written', async () => {
    const url = await start();
    const res = await send(url, 'PATCH', { slots: { keep_me: { type: 'physical', cluster_type: 'primary' } } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('slots.keep_me.cluster_type');
    expect(text).toContain('define the slot only in the cluster that uses it');
    expect(actions.called('writeConfig')).toEqual([]);
  });

  it('PUT with the same key is refused too', async () => {
    const url = await start();
    const res = await send(url, 'PUT', { ttl: 30, slots: { keep_me: { cluster_type: 'standby' } } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('slots.keep_me.cluster_type');
  });

  it('PATCH with member_slots_ttl (a Patroni 4 duration) is written without a warning', async () => {
    const url = await start();
    const res = await send(url, 'PATCH', { member_slots_ttl: '30min' });
    expect(res.status).toBe(200);
    expect(actions.called('writeConfig')).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('a /config written to the DCS another way (Patroni 4 nodes, etcdctl)', () => {
  it('names each key pgwarden does not honour, once per document, and only those', () => {
    const warnings = dcsConfigKeyWarnings({
      ttl: 30,
      member_slots_ttl: '30min',
      slots: { cdc: { type: 'logical', database: 'app', plugin: 'pgoutput', cluster_type: 'primary' } },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings.join('\n')).not.toMatch(/member_slots_ttl/);
    expect(warnings.join('\n')).toMatch(/slots\.cdc\.cluster_type, which pgwarden does not honour/);
    expect(dcsConfigKeyWarnings({ ttl: 30, loop_wait: 10, synchronous_mode: 'quorum' })).toEqual([]);
  });
});

