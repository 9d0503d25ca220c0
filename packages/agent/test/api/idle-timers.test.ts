/**
 * An idle REST API costs nothing between requests: no timer of the server fires while
 * no client is connected, and the timers a connection brings (its head and request
 * deadlines, see request-deadline.ts) go with it. Counted with async_hooks, which see
 * every JavaScript timer the server creates, Node's own connection check included.
 */
import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { RestApiServer } from '../../src/api/index.js';
import { LoopDelayMonitor } from '../../src/api/loop-delay.js';
import { primary } from './fixtures.js';
import { FixedSource, RecordingActions } from './harness.js';
import { exchange } from './raw-http.js';

let server: RestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records the timers created while `watching` is on, and counts each time one fires. */
function timerWatch(): { watching: boolean; readonly fired: Map<number, number>; stop(): void } {
  const created = new Set<number>();
  const fired = new Map<number, number>();
  const watch = {
    watching: true,
    fired,
    stop: () => hook.disable(),
  };
  const hook = createHook({
    init(id, type) {
      // Node's cache of the Date header is cleared by a one-shot timer a second after a reply: not a wake-up of idleness.
      if (watch.watching && type === 'Timeout' && !new Error().stack?.includes('utcDate')) created.add(id);
    },
    before(id) {
      if (created.has(id)) fired.set(id, (fired.get(id) ?? 0) + 1);
    },
  });
  hook.enable();
  return watch;
}

describe('an idle REST API', () => {
  it('fires no timer while no client is connected, with the default deadlines', async () => {
    const watch = timerWatch();
    const monitor = new LoopDelayMonitor();
    try {
      server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
      watch.watching = false;
      // Node's connection check ran every 1 s here; a test of 2.5 s sees two of them.
      await sleep(2_500);
      expect([...watch.fired.values()]).toEqual([]);
    } finally {
      watch.stop();
      monitor.stop();
    }
  });

  it('leaves no timer behind a connection once it has closed, answered or given up by its client', async () => {
    server = await RestApiServer.start({
      config: { listen: '127.0.0.1:0' },
      source: new FixedSource(primary()),
      actions: new RecordingActions(),
      timeouts: { headersMs: 1_000, requestMs: 1_500, bodyMs: 1_000, idleMs: 1_500, lingerMs: 100 },
    });
    const watch = timerWatch();
    try {
      const answered = await exchange(server.url, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 3_000 });
      expect(answered.text).toMatch(/^HTTP\/1\.1 200 /);
      const gaveUp = await exchange(server.url, 'GET /health HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 100 });
      expect(gaveUp.closed).toBe(false); // the client closed it, half way through its head
      await sleep(50);
      watch.watching = false;
      const firedBefore = [...watch.fired.entries()];
      // Past every deadline the two connections had, had they stayed open.
      await sleep(2_000);
      expect([...watch.fired.entries()]).toEqual(firedBefore);
    } finally {
      watch.stop();
    }
  });
});
