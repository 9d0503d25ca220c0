/**
 * `pgwarden_event_loop_delay_seconds` in `/metrics`: how late the agent's event loop ran.
 * A stall made on purpose must show in the maximum. The monitor samples only while the
 * REST API is in use: a whole window without a request puts it to sleep (an idle agent
 * is not woken ten times a second), and the next request starts it again.
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
    await sleep(100); // a few samples of an idle loop
    stallFor(150);
    await sleep(100);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
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
    await sleep(60); // the histogram counts from its first sample on
    stallFor(150);
    await sleep(400); // the window with the stall has ended; the next one saw no stall
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(loopDelaySamples(text).get('1')!).toBeGreaterThanOrEqual(0.1);
  });

  it('at the default resolution a stall long enough to time checks out shows within one period', async () => {
    monitor = new LoopDelayMonitor();
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
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

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

async function start(): Promise<RestApiServer> {
  monitor = new LoopDelayMonitor(WINDOW_MS, 10);
  return RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source: new FixedSource(primary()), actions: new RecordingActions(), loopDelay: monitor });
}

describe('event loop delay monitor: sampling only while the API is used', () => {
  it('samples from the start, and sleeps after a whole window without a request', async () => {
    server = await start();
    expect(monitor!.active).toBe(true);
    await until('the monitor sleeps', () => !monitor!.active);
  });

  it('keeps sampling while requests keep coming', async () => {
    server = await start();
    const end = Date.now() + 4 * WINDOW_MS;
    while (Date.now() < end) {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(monitor!.active).toBe(true);
      await sleep(WINDOW_MS / 4);
    }
  });

  it('wakes on the next request with a fresh window: a stall while asleep is not reported, one after waking is', async () => {
    server = await start();
    await until('the monitor sleeps', () => !monitor!.active);
    stallFor(150);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(monitor!.active).toBe(true);
    const fresh = monitor!.snapshot();
    expect(Number.isNaN(fresh.max) || fresh.max < 0.1).toBe(true);
    await sleep(50);
    stallFor(150);
    await sleep(50);
    expect(monitor!.snapshot().max).toBeGreaterThanOrEqual(0.1);
  });
});
