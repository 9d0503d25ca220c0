/**
 * Slow clients (slowloris) are cut off: a head, a body or a silent connection that
 * takes longer than its deadline gets 408 and a closed connection, while health checks
 * on other connections stay fast. Node's defaults would hold each for 60–300 s; the
 * deadlines here are shortened through `RestApiOptions.timeouts`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RestApiServer } from '../../src/api/index.js';
import type { HttpTimeouts } from '../../src/api/http-limits.js';
import { threeNodeCluster } from './cluster-fixture.js';
import { primary } from './fixtures.js';
import { FixedSource, RecordingActions } from './harness.js';
import { exchange, parseResponse } from './raw-http.js';

let server: RestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LONG = 60_000;

async function start(timeouts: Partial<HttpTimeouts>, actions = new RecordingActions(), pollMs = 5): Promise<string> {
  server = await RestApiServer.start({
    config: { listen: '127.0.0.1:0' },
    source: new FixedSource(primary()),
    actions,
    failoverPollIntervalMs: pollMs,
    timeouts: { headersMs: LONG, requestMs: LONG, bodyMs: LONG, idleMs: LONG, lingerMs: 500, ...timeouts },
  });
  return server.url;
}

/** A fresh health check on its own connection, with its duration. */
async function healthCheck(url: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${url}/health`);
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - started };
}

function statusOf(text: string): number {
  const parsed = parseResponse(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed.status;
}

/** `count` copies of `piece`, for dripping. */
const drip = (piece: string, count: number): string[] => Array.from({ length: count }, () => piece);

describe('slow clients', () => {
  it('a head dripped one header at a time is cut off at the headers deadline (408), and /health stays fast', async () => {
    const url = await start({ headersMs: 300 });
    const slow = exchange(url, ['GET /health HTTP/1.1\r\nHost: x\r\n', ...drip('X-Slow: 1\r\n', 80)], { delayMs: 50, timeoutMs: 3_000 });
    await new Promise((r) => setTimeout(r, 100));
    const health = await healthCheck(url);
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(1_000);
    const got = await slow;
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(1_500);
    expect(statusOf(got.text)).toBe(408);
  });

  it('a body dripped byte by byte is cut off at the body deadline (408)', async () => {
    const actions = new RecordingActions();
    const url = await start({ bodyMs: 300 }, actions);
    const head = 'POST /switchover HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n{"leader":';
    const got = await exchange(url, [head, ...drip(' ', 100)], { delayMs: 50, timeoutMs: 3_000 });
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(1_500);
    expect(statusOf(got.text)).toBe(408);
    expect(actions.called('writeFailover')).toEqual([]);
  });

  it('a whole request slower than the request deadline is cut off (408)', async () => {
    const url = await start({ headersMs: 200, requestMs: 400 });
    const head = 'PATCH /config HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{';
    const got = await exchange(url, [head, ...drip(' ', 100)], { delayMs: 50, timeoutMs: 3_000 });
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(1_500);
    expect(statusOf(got.text)).toBe(408);
  });

  it('a connection that sends nothing is closed at the idle deadline (408)', async () => {
    const url = await start({ idleMs: 300 });
    const got = await exchange(url, [], { timeoutMs: 3_000 });
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(1_500);
    expect(statusOf(got.text)).toBe(408);
  });

  it('a connection that goes quiet half way through its body is closed at the idle deadline (408)', async () => {
    const url = await start({ idleMs: 300 });
    const got = await exchange(url, 'POST /failover HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"candidate"', { timeoutMs: 3_000 });
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(1_500);
    expect(statusOf(got.text)).toBe(408);
  });

  it('the idle deadline does not cut off a handler still working on a complete request', async () => {
    const actions = new RecordingActions();
    // A failover key that never clears and a leader that never changes: the handler polls 20 times.
    actions.cluster = threeNodeCluster({
      failover: { version: '1', leader: 'node1', candidate: 'node2', scheduledAt: null, scheduledAtMs: null, extra: {} },
    });
    const url = await start({ idleMs: 200 }, actions, 40);
    const body = '{"leader":"node1","candidate":"node2"}';
    const got = await exchange(url, `POST /switchover HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`, { timeoutMs: 5_000 });
    expect(got.ms).toBeGreaterThan(600);
    expect(got.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(got.text.endsWith('Switchover status unknown')).toBe(true);
  });
});
