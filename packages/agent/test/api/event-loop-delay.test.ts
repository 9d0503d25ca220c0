/**
 * `pgwarden_event_loop_delay_seconds` in `/metrics`: how late the agent's event loop ran.
 * A stall made on purpose must show in the maximum. The monitor samples only while
 * someone reads `/metrics`: it starts asleep, the first scrape wakes it, health checks
 * do not, and `idleWindows` windows in a row without a scrape put it back to sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LOOP_DELAY_RESOLUTION_MS, LoopDelayMonitor } from '../../src/api/loop-delay.js';
import { RestApiServer } from '../../src/api/server.js';
import { primary } from './fixtures.js';
import { FixedSource, RecordingActions } from './harness.js';

let server: RestApiServer | undefined;
let monitor: LoopDelayMonitor | undefined;
afterEach(async () => {
  await server?.close();
  monitor?.stop();
  server = undefined;
  monitor = undefined;
});

function stallFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the event loop can run nothing else meanwhile */
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A scrape: starts the sampling, as Prometheus' first scrape does. */
async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** quantile → value of every pgwarden_event_loop_delay_seconds sample. */
function loopDelaySamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^pgwarden_event_loop_delay_seconds\{scope="demo",name="node1",quantile="([^"]+)"\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

describe('GET /metrics: event loop delay', () => {
  it('reports the median, 99th percentile and maximum as numbers, the maximum covering a stall', async () => {
    monitor = new LoopDelayMonitor(60_000, 10); // a fine resolution, so a short stall is measured closely
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
    await scrape(server.url);
    await sleep(100); // a few samples of an idle loop
    stallFor(150);
    await sleep(100);
    const text = await scrape(server.url);
    expect(text).toContain('# TYPE pgwarden_event_loop_delay_seconds summary\n');
    const values = loopDelaySamples(text);
    expect([...values.keys()]).toEqual(['0.5', '0.99', '1']);
    for (const v of values.values()) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(values.get('1')!).toBeGreaterThanOrEqual(0.1);
    expect(values.get('1')!).toBeGreaterThanOrEqual(values.get('0.99')!);
    expect(values.get('0.99')!).toBeGreaterThanOrEqual(values.get('0.5')!);
  });

  it('reports the last completed window once one has ended, so a stall stays visible until the next', async () => {
    monitor = new LoopDelayMonitor(500, 10);
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
    await scrape(server.url);
    await sleep(60); // the histogram counts from its first sample on
    stallFor(150);
    await sleep(400); // the window with the stall has ended; the next one saw no stall
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(loopDelaySamples(text).get('1')!).toBeGreaterThanOrEqual(0.1);
  });

  it('at the default resolution a stall long enough to time checks out shows within one period', async () => {
    monitor = new LoopDelayMonitor();
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
    await scrape(server.url);
    await sleep(250);
    stallFor(400);
    await sleep(250);
    const max = loopDelaySamples(await (await fetch(`${server.url}/metrics`)).text()).get('1')!;
    expect(max).toBeGreaterThanOrEqual(0.4 - LOOP_DELAY_RESOLUTION_MS / 1000);
  });

  it('is absent from a server built without a monitor', async () => {
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions() });
    expect(await (await fetch(`${server.url}/metrics`)).text()).not.toContain('pgwarden_event_loop_delay_seconds');
  });
});

const WINDOW_MS = 300;
const IDLE_WINDOWS = 3;

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

async function start(): Promise<RestApiServer> {
  monitor = new LoopDelayMonitor(WINDOW_MS, 10, IDLE_WINDOWS);
  return RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
}

describe('event loop delay monitor: sampling only while /metrics is read', () => {
  it('starts asleep, and health checks and status reads do not wake it', async () => {
    server = await start();
    expect(monitor!.active).toBe(false);
    for (let i = 0; i < 3 * IDLE_WINDOWS; i++) {
      for (const path of ['/health', '/patroni', '/readiness']) await (await fetch(`${server.url}${path}`)).arrayBuffer();
      expect(monitor!.active).toBe(false);
      await sleep(WINDOW_MS / 2);
    }
  });

  it('a scrape wakes it, and it sleeps again once idleWindows windows in a row end without one', async () => {
    server = await start();
    await scrape(server.url);
    expect(monitor!.active).toBe(true);
    await sleep(WINDOW_MS * 1.5); // one window ended unread: still sampling
    expect(monitor!.active).toBe(true);
    await until('the monitor sleeps', () => !monitor!.active);
  });

  it('keeps sampling while scrapes keep coming, even with gaps longer than one window', async () => {
    server = await start();
    const end = Date.now() + 5 * WINDOW_MS;
    await scrape(server.url);
    while (Date.now() < end) {
      await sleep(WINDOW_MS * 1.2); // at most two windows end in between
      expect(monitor!.active).toBe(true);
      await scrape(server.url);
    }
  });

  it('a scrape after a sleep starts a fresh window: a stall while asleep is not reported, one after waking is', async () => {
    server = await start();
    await scrape(server.url);
    await until('the monitor sleeps', () => !monitor!.active);
    await sleep(WINDOW_MS * 1.5); // the last sampled window is now older than a window
    stallFor(150);
    const fresh = loopDelaySamples(await scrape(server.url)).get('1')!;
    expect(monitor!.active).toBe(true);
    expect(Number.isNaN(fresh) || fresh < 0.1).toBe(true);
    await sleep(50);
    stallFor(150);
    await sleep(50);
    expect(loopDelaySamples(await scrape(server.url)).get('1')!).toBeGreaterThanOrEqual(0.1);
  });
});
