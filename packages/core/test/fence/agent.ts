/**
 * A stand-in agent for the fence tests, run as its own Node process (transpiled by
 * build-agent.ts) so the test can SIGSTOP or SIGKILL it. Commands arrive as JSON lines on
 * stdin; replies and log lines go to stdout as JSON lines.
 */
import { createInterface } from 'node:readline';
import { Fence, type FenceStartOptions } from '../../src/fence/index.js';
import { systemClock } from '../../src/time/clock.js';
import type { Logger } from '../../src/logger.js';

const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const log = (level: string) => (message: string) => out({ log: level, message });
const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };

const options = JSON.parse(process.argv[2] ?? '{}') as FenceStartOptions;
const fence = new Fence({ logger });
let beat: NodeJS.Timeout | null = null;

async function handle(cmd: { cmd: string; ttlMs?: number; everyMs?: number }): Promise<object> {
  switch (cmd.cmd) {
    case 'arm': {
      const validUntil = systemClock.now() + (cmd.ttlMs ?? 0);
      await fence.arm(validUntil);
      return { validUntil };
    }
    case 'heartbeat': {
      // What the HA loop does after each `held` renewal: validUntil = send time + ttl.
      const tick = (): void => void fence.arm(systemClock.now() + (cmd.ttlMs ?? 0));
      tick();
      beat = setInterval(tick, cmd.everyMs ?? 1000);
      return {};
    }
    case 'disarm':
      if (beat) clearInterval(beat);
      await fence.disarm('test');
      return {};
    case 'state':
      return { state: fence.state() };
    case 'shutdown':
      if (beat) clearInterval(beat);
      await fence.shutdown();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${cmd.cmd}`);
  }
}

await fence.start(options);
out({ ready: true, state: fence.state() });
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { id: number; cmd: string };
  try {
    out({ id: cmd.id, ...(await handle(cmd)) });
  } catch (e) {
    out({ id: cmd.id, error: String(e) });
  }
}
