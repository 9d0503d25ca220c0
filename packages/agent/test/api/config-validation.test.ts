/**
 * PATCH and PUT /config refuse a document every agent would refuse (400, one line per
 * issue naming the key and the fix) and then write nothing: the stored bytes in the
 * in-memory DCS stay the same. The API's own reads of the dynamic config follow the
 * document in force, not a refused one in the DCS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryLogger, validateDynamicConfig, type Cluster, type DynamicSettings } from '@pgwarden/core';
import { RestApiServer } from '../../src/api/index.js';
import { nodeStateSource, type StateInputs } from '../../src/daemon/state-source.js';
import { threeNodeCluster } from './cluster-fixture.js';
import { startConfigApi, type ConfigApi } from './config-dcs.js';
import { RecordingActions } from './harness.js';

const GOOD = '{"ttl":30,"loop_wait":10,"retry_timeout":10,"postgresql":{"parameters":{"work_mem":"4MB"}}}';

let api: ConfigApi;
beforeEach(async () => {
  api = await startConfigApi();
  api.store(GOOD);
});
afterEach(async () => {
  await api.close();
});

/** A 400 that names `key`, says how to fix it, and left the DCS untouched. */
async function expectRefused(method: 'PATCH' | 'PUT', body: string, key: string, fix: RegExp): Promise<string[]> {
  const before = api.stored();
  const res = await api.send(method, '/config', body);
  expect(res.status, res.text).toBe(400);
  const lines = res.text.trimEnd().split('\n');
  expect(lines[0]).toBe('Invalid dynamic configuration, nothing was written:');
  // `key = value: …` or `key: …` (not a longer key that starts the same way).
  const line = lines.find((l) => l.startsWith(key) && /^[ :]/.test(l.slice(key.length)));
  expect(line, res.text).toBeDefined();
  expect(line).toMatch(fix);
  expect(api.stored()).toBe(before);
  expect(api.actions.called('writeConfig')).toEqual([]);
  return lines.slice(1);
}

describe('PATCH /config refuses what the agents would refuse', () => {
  it('a parameter value that is an object with a toString key (the HA loop threw on it for ever)', async () => {
    await expectRefused('PATCH', '{"postgresql": {"parameters": {"hot_standby": {"toString": 1}}}}', 'postgresql.parameters.hot_standby', /write a string, a number or true\/false/);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('a parameter named %s', async (name) => {
    await expectRefused('PATCH', `{"postgresql": {"parameters": {"${name}": "1"}}}`, `postgresql.parameters.${name}`, /reserved name.*rename or remove it/);
  });

  it('a parameter value with a newline (two lines of postgresql.conf)', async () => {
    await expectRefused('PATCH', '{"postgresql": {"parameters": {"work_mem": "4MB\\narchive_command = \'x\'"}}}', 'postgresql.parameters.work_mem', /line break.*one line/);
  });

  it.each([
    ['retry_timeout', 2_147_484],
    ['loop_wait', 2_147_484],
    ['ttl', 86_401],
    ['primary_start_timeout', 2_147_484],
  ])('%s = %s (beyond what a timer or a lease holds), naming the range and an example', async (key, value) => {
    await expectRefused('PATCH', `{"${key}": ${value}}`, `${key} = ${value}`, new RegExp(`must be at most \\d+.*allowed range \\d+\\.\\.\\d+.*write e\\.g\\. ${key}: \\d+`));
  });

  it('a number that is not finite (1e400)', async () => {
    await expectRefused('PATCH', '{"ttl": 1e400}', 'ttl', /not an integer/);
  });

  it('{"pause": true, "ttl": "bad"}: nothing is paused, nothing is written', async () => {
    await expectRefused('PATCH', '{"pause": true, "ttl": "bad"}', 'ttl = "bad"', /not an integer; write a whole number/);
  });

  it('{"standby_cluster": {"host": 123}}', async () => {
    await expectRefused('PATCH', '{"standby_cluster": {"host": 123}}', 'standby_cluster.host = 123', /not a string/);
  });

  it('a top-level __proto__ key, which must not become the prototype of the merged document', async () => {
    await expectRefused('PATCH', '{"__proto__": {"pause": true}}', '__proto__', /reserved name/);
  });

  it('a body nested deeper than any config, before merging it', async () => {
    // 100 levels: the body reader takes it (it stops at 900), the merge would recurse into it.
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`;
    await expectRefused('PATCH', `{"custom": ${deep}}`, '(config)', /nested deeper than 32 levels/);
  });

  it('an already broken stored document, until the request also fixes it', async () => {
    const broken = '{"ttl":"bad","postgresql":{"parameters":{"constructor":1}}}';
    api.store(broken);
    await expectRefused('PATCH', '{"loop_wait": 5}', 'ttl', /not an integer/);
    // Deleting the bad keys (null) repairs it: the merge reads only own keys, so `constructor` is found and removed.
    const res = await api.send('PATCH', '/config', '{"ttl": 30, "postgresql": {"parameters": {"constructor": null}}}');
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(api.stored()!)).toEqual({ ttl: 30, postgresql: { parameters: {} } });
  });

  it('answers one line per issue, each naming a key', async () => {
    const lines = await expectRefused('PATCH', '{"ttl": "x", "loop_wait": {}, "postgresql": {"parameters": {"a b": 1}}}', 'ttl', /not an integer/);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(/[ :]/)[0])).toEqual(['ttl', 'loop_wait', 'postgresql.parameters.a']);
  });
});

describe('PATCH /config still accepts what Patroni accepts', () => {
  it('merges, writes with CAS and returns the merged document', async () => {
    const res = await api.send('PATCH', '/config', '{"ttl": 40, "pause": "on", "postgresql": {"parameters": {"work_mem": null, "jit": false}}}');
    expect(res.status, res.text).toBe(200);
    const stored = JSON.parse(api.stored()!) as unknown;
    expect(stored).toEqual({ ttl: 40, loop_wait: 10, retry_timeout: 10, pause: 'on', postgresql: { parameters: { jit: false } } });
    expect(JSON.parse(res.text)).toEqual(stored);
    expect(validateDynamicConfig(stored).issues).toEqual([]);
  });

  it('takes values below the timing minimums (raised by the agents, as Patroni does)', async () => {
    expect((await api.send('PATCH', '/config', '{"ttl": 5, "loop_wait": 0}')).status).toBe(200);
  });
});

describe('PUT /config', () => {
  it('refuses an invalid document and writes nothing', async () => {
    await expectRefused('PUT', '{"ttl": 30, "postgresql": {"parameters": {"hot_standby": {"toString": 1}}}}', 'postgresql.parameters.hot_standby', /not a setting value/);
    await expectRefused('PUT', '{"retry_timeout": 2147484}', 'retry_timeout', /must be at most 86400/);
  });

  it('replaces with a valid one', async () => {
    const res = await api.send('PUT', '/config', '{"ttl": 25, "synchronous_mode": true}');
    expect(res.status, res.text).toBe(200);
    expect(api.stored()).toBe('{"ttl":25,"synchronous_mode":true}');
  });
});

describe('GET /config', () => {
  it('returns the stored document as Patroni does, even one the agents refuse', async () => {
    api.store('{"pause":true,"ttl":"bad"}');
    const res = await api.send('GET', '/config');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ pause: true, ttl: 'bad' });
  });
});

describe('the API reads the dynamic config in force', () => {
  function inputs(cluster: Cluster, dynamic: DynamicSettings): StateInputs {
    // Only the fields config() and cluster() read; the rest of the node is not needed here.
    return { name: 'node1', scope: 'demo', version: '4.0.0', dcs: { lastCluster: cluster }, dynamic: () => dynamic, tags: {} } as unknown as StateInputs;
  }

  it('config() is the accepted document, not a refused one in the snapshot', () => {
    const inForce = validateDynamicConfig({ ttl: 30 }).config;
    const refused = threeNodeCluster({}, { failsafe_mode: true, pause: true, ttl: 'bad' });
    const source = nodeStateSource(inputs(refused, inForce));
    expect(source.config()).toEqual({ ttl: 30 });
    expect(source.cluster()?.config?.data).toEqual({ failsafe_mode: true, pause: true, ttl: 'bad' });
    expect(nodeStateSource(inputs({ ...refused, config: null }, inForce)).config()).toBeNull();
  });

  it('GET /failsafe follows the engine: failsafe_mode in a refused document is not in force', async () => {
    const refused = threeNodeCluster({}, { failsafe_mode: true, ttl: 'bad' });
    const accepted = threeNodeCluster({}, { failsafe_mode: true, ttl: 30 });
    for (const [cluster, dynamic, status] of [
      [refused, validateDynamicConfig({ ttl: 30 }).config, 502],
      [accepted, validateDynamicConfig(accepted.config!.data).config, 200],
    ] as const) {
      const base = nodeStateSource(inputs(cluster, dynamic));
      const server = await RestApiServer.start({
        config: { listen: '127.0.0.1:0' },
        source: { ...base, current: () => ({}) as never },
        actions: new RecordingActions(),
        logger: new MemoryLogger(),
      });
      try {
        expect((await fetch(`${server.url}/failsafe`)).status).toBe(status);
        // GET /config still shows what is stored.
        expect(await (await fetch(`${server.url}/config`)).json()).toEqual(cluster.config!.data);
      } finally {
        await server.close();
      }
    }
  });
});
