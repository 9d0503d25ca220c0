/**
 * Property-based fuzzing of the REST API over raw TCP: random methods (odd ones too),
 * paths from the real route table plus random ones, random versions and headers, and
 * bodies of the wrong type, size and nesting for every write endpoint. Every request
 * must get one well-formed HTTP response with a status in 200–599 and a closed
 * connection; no handler may throw, no promise may be left rejected, no connection may
 * be left open, and the heap must not grow with the number of requests.
 *
 * The suite sends about 2,000 requests. For a long run outside the suite:
 *   PGWARDEN_FUZZ_RUNS=100000 npx vitest run test/api/rest-fuzz.test.ts
 * (PGWARDEN_FUZZ_SEED replays a seed that fast-check printed.)
 *
 * `POST /sigterm` is included: the recording actions have no `sigterm`, so it stops nothing.
 */
import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@pgwarden/core';
import { RestApiServer } from '../../src/api/index.js';
import { ROUTE_KEYS } from '../../src/api/router.js';
import { threeNodeCluster } from './cluster-fixture.js';
import { primary } from './fixtures.js';
import { basic, FixedSource, RecordingActions } from './harness.js';
import { exchange, parseResponse } from './raw-http.js';

const REQUESTS = Number(process.env['PGWARDEN_FUZZ_RUNS'] ?? 2_000);
const SEED = process.env['PGWARDEN_FUZZ_SEED'] === undefined ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : Number(process.env['PGWARDEN_FUZZ_SEED']);
/** Requests sent at once in one property run. */
const BATCH = 12;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Target {
  readonly server: RestApiServer;
  readonly logger: MemoryLogger;
  readonly actions: RecordingActions;
  readonly auth: boolean;
}
let open: Target;
let guarded: Target;

async function startTarget(auth: boolean): Promise<Target> {
  const logger = new MemoryLogger();
  const actions = new RecordingActions();
  const server = await RestApiServer.start({
    config: {
      listen: '127.0.0.1:0',
      request_queue_size: 511,
      ...(auth ? { authentication: { username: 'fuzz', password: 's3cret' } } : {}),
    },
    // failsafe_mode on, so POST /failsafe reads its body too.
    source: new FixedSource(primary(), threeNodeCluster({}, { ttl: 30, loop_wait: 10, failsafe_mode: true })),
    actions,
    logger,
    failoverPollIntervalMs: 1,
    // Short deadlines: truncated and slow requests in the mix end in 408 quickly.
    timeouts: { headersMs: 300, requestMs: 600, bodyMs: 300, idleMs: 1_000, lingerMs: 200 },
  });
  return { server, logger, actions, auth };
}

let unhandled = 0;
const onUnhandled = (): void => {
  unhandled += 1;
};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  open = await startTarget(false);
  guarded = await startTarget(true);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await open?.server.close();
  await guarded?.server.close();
});

// ---------------------------------------------------------------- arbitraries

const SEGMENTS = [...new Set(ROUTE_KEYS.map((k) => k.split(' ')[1]!))];
const HEALTH_PATHS = ['/', '/primary', '/master', '/leader', '/replica', '/read-only', '/read-write', '/standby-leader', '/standby_leader',
  '/health', '/sync', '/async', '/read-only-sync', '/synchronous', '/asynchronous', '/replicas'];
const WRITES = ROUTE_KEYS.filter((k) => !k.startsWith('GET ')).map((k) => {
  const [method, segment] = k.split(' ');
  return { method: method!, path: `/${segment!}` };
});

/**
 * JSON text of values that broke handlers: arrays for names, objects whose toString is
 * not a function, deep nesting. Text, not values: the deep ones would overflow the
 * test's own JSON.stringify.
 */
const nasty: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom('node1', 'node2', 'node3', 'node9', '', 'master', 'primary', 'replica', '15.4', '9.6', '10', 'true', 'on', '2099-01-01T00:00:00+00:00', '2000-01-01T00:00:00Z', '2099-01-01 10:00', 'next tuesday', '1min', '-5').map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom('{"toString":1}', '{"toString":"x","valueOf":1}', '{"toJSON":1}', '{"__proto__":{"x":1}}', '{"constructor":null}', '["node2"]', '[["node2"]]', '[]', '{}', '0', '-0', '-1', '1e308', '1e999', '1.5', 'true', 'false', 'null') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((v) => JSON.stringify(v)) },
);

const KEYS = ['leader', 'candidate', 'member', 'scheduled_at', 'schedule', 'role', 'postgres_version', 'timeout', 'restart_pending', 'force',
  'ttl', 'loop_wait', 'retry_timeout', 'pause', 'failsafe_mode', 'synchronous_mode', 'postgresql', 'parameters', 'node1', 'node2', 'toString', '__proto__', 'constructor'];

/** An object as text; keys may repeat (JSON.parse keeps the last, as Python's json does). */
const jsonObjectBody = fc
  .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), nasty), { maxLength: 5 })
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

const bodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: jsonObjectBody },
  { weight: 2, arbitrary: nasty },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '{"leader":', 'null', '[]', '{}', '"x"', '1', 'nul', '{"a":1}}', '\u0000', '{"a":"\ud800"}') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((depth) => `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => JSON.stringify({ leader: 'x'.repeat(n) })) },
);

const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('PROPFIND', 'TRACE', 'CONNECT', 'M-SEARCH', 'PURGE', 'QUERY', 'FOO', 'get', 'G@T', 'PRI', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 10 }) },
);

const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SEGMENTS.map((s) => `/${s}`), ...HEALTH_PATHS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...SEGMENTS, 'replica', 'health'), fc.string({ maxLength: 20 })).map(([s, r]) => `/${s}/${encodeURIComponent(r)}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('/replica', '/read-only', '/health', '/patroni'), fc.constantFrom('lag', 'tag_datacenter', 'tag_nofailover', 'x', ''), fc.string({ unit: 'grapheme-ascii', maxLength: 12 }))
    .map(([p, k, v]) => `${p}?${k}=${encodeURIComponent(v)}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `/${s.replace(/[\s]/g, '')}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://x/patroni', '//patroni', '/%zz', '/../../etc/passwd', '/patroni#frag', '') },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((n) => `/${'p'.repeat(n)}`) },
);

const version = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/2.0', 'HTTP/0.9', 'HTTP/1.2', 'HTTP/x.y', 'HTTPS/1.1', 'HTTP/1.1.1', 'HTTP/12.3', '', 'HTTP/1.1 extra') },
);

const headerName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('Host', 'Content-Type', 'Accept', 'User-Agent', 'Connection', 'X-Forwarded-For', 'Authorization', 'Cookie') },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 10 }) },
);
const headerValue = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('100-continue', 'chunked', 'close', 'keep-alive', 'upgrade', 'application/json', basic('fuzz', 's3cret'), basic('fuzz', 'wrong'), 'Basic', 'Basic ', 'basic ZnV6ejpzM2NyZXQ=') },
);
const extraHeaders = fc.oneof(
  { weight: 30, arbitrary: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 95, max: 160 }).map((n) => Array.from({ length: n }, (_, i): [string, string] => [`X-H${i}`, 'v'])) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 80 }).map((kb): [string, string][] => [['X-Big', 'b'.repeat(kb * 1024)]]) },
);

type LengthMode = 'exact' | 'missing' | 'smaller' | 'larger' | 'bogus' | 'chunked';
const lengthMode = fc.oneof(
  { weight: 40, arbitrary: fc.constant<LengthMode>('exact') },
  { weight: 4, arbitrary: fc.constant<LengthMode>('missing') },
  { weight: 1, arbitrary: fc.constantFrom<LengthMode>('smaller', 'larger', 'bogus', 'chunked') },
);

interface FuzzRequest {
  readonly auth: boolean;
  readonly method: string;
  readonly bytes: Buffer;
  readonly splits: readonly number[];
  readonly label: string;
}

const request: fc.Arbitrary<FuzzRequest> = fc
  .record({
    target: fc.oneof(
      { weight: 3, arbitrary: fc.record({ method, path }) },
      { weight: 2, arbitrary: fc.constantFrom(...WRITES) },
    ),
    version,
    headers: extraHeaders,
    withBody: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    body: bodyText,
    lengthMode,
    auth: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    credentials: fc.constantFrom('good', 'bad', 'none'),
    truncate: fc.oneof({ weight: 100, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
  })
  .map((r) => {
    const body = r.withBody || r.target.method !== 'GET' ? Buffer.from(r.body, 'utf8') : Buffer.alloc(0);
    const lines = [`${r.target.method} ${r.target.path}${r.version ? ` ${r.version}` : ''}`];
    for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
    if (r.auth && r.credentials !== 'none') lines.push(`Authorization: ${basic('fuzz', r.credentials === 'good' ? 's3cret' : 'nope')}`);
    let payload = body;
    switch (r.lengthMode) {
      case 'exact': if (body.length > 0 || r.target.method !== 'GET') lines.push(`Content-Length: ${body.length}`); break;
      case 'missing': break;
      case 'smaller': lines.push(`Content-Length: ${Math.floor(body.length / 2)}`); break;
      case 'larger': lines.push(`Content-Length: ${body.length + 10}`); break;
      case 'bogus': lines.push('Content-Length: 12abc'); break;
      case 'chunked': lines.push('Transfer-Encoding: chunked'); payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]); break;
    }
    let bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
    if (r.truncate) bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
    const splits = [...new Set(r.splits.map((f) => Math.floor(f * bytes.length)))].filter((n) => n > 0 && n < bytes.length).sort((a, b) => a - b);
    const label = `${r.auth ? '[auth] ' : ''}${lines[0]!.slice(0, 100)} (${r.lengthMode}, ${body.length} B body${r.truncate ? ', truncated' : ''})`;
    return { auth: r.auth, method: r.target.method, bytes, splits, label };
  });

// ---------------------------------------------------------------- the property

const statuses = new Map<number, number>();
let sent = 0;

async function check(req: FuzzRequest): Promise<void> {
  const target = req.auth ? guarded : open;
  const pieces: Buffer[] = [];
  let at = 0;
  for (const cut of [...req.splits, req.bytes.length]) {
    pieces.push(req.bytes.subarray(at, cut));
    at = cut;
  }
  const got = await exchange(target.server.url, pieces, { delayMs: req.splits.length > 0 ? 1 : 0, timeoutMs: 8_000 });
  sent += 1;
  const parsed = parseResponse(got.text, { head: req.method === 'HEAD' });
  if (typeof parsed === 'string') throw new Error(`${req.label}: not a well-formed response (${parsed}); closed=${got.closed} error=${got.error}`);
  if (!got.closed) throw new Error(`${req.label}: connection left open after ${parsed.statusLine}`);
  if (parsed.status < 200 || parsed.status > 599) throw new Error(`${req.label}: status ${parsed.status}`);
  statuses.set(parsed.status, (statuses.get(parsed.status) ?? 0) + 1);
  const thrown = target.logger.lines.filter((l) => l.level === 'error');
  if (thrown.length > 0) throw new Error(`${req.label}: a handler threw: ${thrown[0]!.message} ${JSON.stringify(thrown[0]!.fields).slice(0, 500)}`);
}

/** One property run: a batch sent at once. What the recorders kept is dropped after, so the heap measures the server. */
async function checkBatch(batch: readonly FuzzRequest[]): Promise<void> {
  await Promise.all(batch.map(check));
  for (const t of [open, guarded]) {
    t.logger.lines.length = 0;
    t.actions.calls.length = 0;
  }
}

async function connections(target: Target): Promise<number> {
  const server = (target.server as unknown as { server: Server }).server;
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

describe('REST API fuzzing', () => {
  it(`answers ${REQUESTS} random requests with well-formed responses`, { timeout: Math.max(120_000, REQUESTS * 10) }, async () => {
    // Warm up, then measure the heap from there.
    await fc.assert(fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), checkBatch), { numRuns: 20, seed: 1 });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    sent = 0;
    statuses.clear();
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), checkBatch),
      { numRuns: Math.ceil(REQUESTS / BATCH), seed: SEED, endOnFailure: false },
    );

    const seconds = (Date.now() - started) / 1000;
    // Let lingering sockets (answered errors) close, then nothing may stay open.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && (await connections(open)) + (await connections(guarded)) > 0) await new Promise((r) => setTimeout(r, 50));
    gc();
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(`REST fuzz (seed ${SEED}): ${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s); statuses ${histogram}; ` +
      `heap growth ${heapGrowthMb.toFixed(1)} MiB; unhandled rejections ${unhandled}`);

    expect(sent).toBeGreaterThanOrEqual(REQUESTS);
    expect(unhandled).toBe(0);
    expect(await connections(open)).toBe(0);
    expect(await connections(guarded)).toBe(0);
    expect(heapGrowthMb).toBeLessThan(16);
    // The server is still healthy and fast.
    const res = await fetch(`${open.server.url}/health`);
    expect(res.status).toBe(200);
  });
});
