/**
 * Write endpoints take only the JSON types they expect: a member name given as an
 * array or an object is refused with 400 (it used to act as the string inside it, or
 * make `String()` throw and close the connection), bodies nested deeper than Python's
 * json would parse get 400, and any handler that throws gets a logged 500 instead of a
 * silent close.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@pgwarden/core';
import { RestApiServer } from '../../src/api/index.js';
import { MAX_JSON_DEPTH } from '../../src/api/http-limits.js';
import { threeNodeCluster } from './cluster-fixture.js';
import { primary } from './fixtures.js';
import { FixedSource, RecordingActions } from './harness.js';
import { exchange, parseResponse } from './raw-http.js';

let server: RestApiServer;
let url: string;
const logger = new MemoryLogger();
let actions: RecordingActions;

beforeAll(async () => {
  actions = new RecordingActions();
  server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions, logger, failoverPollIntervalMs: 5 });
  url = server.url;
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  actions.calls.length = 0;
  actions.cluster = threeNodeCluster();
  logger.lines.length = 0;
});

/** `[[[…]]]`, `depth` levels, as JSON text. */
const nested = (depth: number, inner = ''): string => '['.repeat(depth) + inner + ']'.repeat(depth);

async function send(method: string, path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url + path, { method, body });
  return { status: res.status, text: await res.text() };
}

describe('member names must be strings', () => {
  it.each([
    ['/switchover', '{"leader":["node1"],"candidate":"node2"}', 'Leader name should be a string'],
    ['/switchover', '{"leader":"node1","candidate":["node3"]}', 'Candidate name should be a string'],
    ['/failover', '{"candidate":["node3"]}', 'Candidate name should be a string'],
    ['/failover', '{"member":["node3"]}', 'Candidate name should be a string'],
    ['/failover', '{"candidate":{"toString":1}}', 'Candidate name should be a string'],
    ['/switchover', '{"leader":{"toString":1,"valueOf":1}}', 'Leader name should be a string'],
    ['/switchover', '{"leader":5,"candidate":"node2"}', 'Leader name should be a string'],
    ['/failover', '{"candidate":true}', 'Candidate name should be a string'],
    ['/switchover', `{"leader":${nested(50, '"node1"')}}`, 'Leader name should be a string'],
  ])('POST %s %s → 400', async (path, body, message) => {
    expect(await send('POST', path, body)).toEqual({ status: 400, text: message });
    expect(actions.called('writeFailover')).toEqual([]);
  });

  it('still takes null or "" as "not given", and member as the alias of candidate', async () => {
    expect(await send('POST', '/failover', '{"candidate":null}')).toEqual({ status: 400, text: 'Failover could be performed only to a specific candidate' });
    expect(await send('POST', '/switchover', '{"leader":"","candidate":"node2"}')).toEqual({
      status: 400,
      text: 'Switchover could be performed only from a specific leader',
    });
    expect((await send('POST', '/failover', '{"candidate":"","member":"node2"}')).status).toBe(503); // the failover key never clears in this fixture
    expect(actions.called('writeFailover')).toEqual([[{ leader: null, candidate: 'node2', scheduledAt: null }, undefined]]);
  });

  it('reads a non-string scheduled_at as unparsable (422), as Python does', async () => {
    expect(await send('POST', '/switchover', '{"leader":"node1","scheduled_at":{"toString":1}}')).toEqual({
      status: 422,
      text: 'Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601',
    });
  });
});

describe('POST /restart filters of the wrong type', () => {
  it.each([
    ['{"postgres_version":{"toString":1}}', "Invalid PostgreSQL version: {'toString': 1}"],
    ['{"postgres_version":["15.4"]}', "Invalid PostgreSQL version: ['15.4']"],
    ['{"postgres_version":15}', 'Invalid PostgreSQL version: 15'],
    ['{"role":["replica"]}', 'PostgreSQL role should be either primary or replica'],
    ['{"timeout":{"toString":1}}', 'Timeout should be a positive number of seconds'],
  ])('%s → 400', async (body, message) => {
    expect(await send('POST', '/restart', body)).toEqual({ status: 400, text: message });
    expect(actions.called('restart')).toEqual([]);
  });
});

describe('nesting', () => {
  const deep = `{"x":${nested(5_000)}}`;
  it.each([
    ['POST', '/switchover', `{"leader":${nested(5_000)}}`],
    ['POST', '/failover', `{"candidate":"node2","member":${nested(5_000)}}`],
    ['POST', '/restart', `{"postgres_version":${nested(5_000)}}`],
    ['POST', '/reinitialize', `{"force":${nested(5_000)}}`],
    ['PATCH', '/config', deep],
    ['PUT', '/config', deep],
  ])('%s %s with 5,000 nested arrays → 400', async (method, path, body) => {
    expect((await send(method, path, body)).status).toBe(400);
    expect(actions.called('writeConfig')).toEqual([]);
    expect(logger.messages('error')).toEqual([]);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels (Python's json parses about 1,000) and refuses one more`, async () => {
    // /reinitialize reads only `force`, so the depth check is all that can refuse these.
    expect(await send('POST', '/reinitialize', `{"force":${nested(MAX_JSON_DEPTH - 1)}}`)).toEqual({ status: 200, text: 'reinitialize started' });
    expect((await send('POST', '/reinitialize', `{"force":${nested(MAX_JSON_DEPTH)}}`)).status).toBe(400);
    expect(actions.called('reinitialize')).toEqual([[false]]);
    expect(logger.messages('error')).toEqual([]);
  });
});

describe('a handler that throws', () => {
  const throwing = (): never => {
    throw new Error('DCS down');
  };

  it.each([
    ['GET', '/cluster', ''],
    ['POST', '/switchover', '{"leader":"node1"}'],
    ['DELETE', '/switchover', ''],
    ['PATCH', '/config', '{"ttl":20}'],
    ['POST', '/restart', '{}'],
  ])('%s %s → a logged, well-formed 500', async (method, path, body) => {
    actions.cluster = throwing;
    const head = `${method} ${path} HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`;
    const got = await exchange(url, head + body);
    const res = parseResponse(got.text);
    if (typeof res === 'string') throw new Error(`not a well-formed response: ${res}`);
    expect(res.status).toBe(500);
    expect(got.closed).toBe(true);
    expect(logger.messages('error')).toEqual([expect.stringMatching(/^Exception happened during processing of request from /)]);
    expect(JSON.stringify(logger.lines[0]?.fields)).toContain('DCS down');
  });
});
