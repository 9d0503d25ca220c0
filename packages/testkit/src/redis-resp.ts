/**
 * One Redis command over a fresh TCP connection, in RESP2, for the launchers' health
 * checks and Sentinel control. Small on purpose: the testkit depends on no Redis client.
 */
import { createConnection } from 'node:net';

export type RespValue = string | number | null | RespValue[] | RespError;

export class RespError extends Error {}

function encode(args: readonly (string | number)[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;
}

/** Parses one reply from `buf` at `at`; null when incomplete. */
function parse(buf: Buffer, at: number): { value: RespValue; next: number } | null {
  const end = buf.indexOf('\r\n', at);
  if (end < 0) return null;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.toString('utf8', at + 1, end);
  if (type === '+') return { value: line, next: end + 2 };
  if (type === '-') return { value: new RespError(line), next: end + 2 };
  if (type === ':') return { value: Number(line), next: end + 2 };
  if (type === '$') {
    const length = Number(line);
    if (length < 0) return { value: null, next: end + 2 };
    if (buf.length < end + 2 + length + 2) return null;
    return { value: buf.toString('utf8', end + 2, end + 2 + length), next: end + 2 + length + 2 };
  }
  if (type === '*') {
    const count = Number(line);
    if (count < 0) return { value: null, next: end + 2 };
    const items: RespValue[] = [];
    let next = end + 2;
    for (let i = 0; i < count; i++) {
      const item = parse(buf, next);
      if (!item) return null;
      items.push(item.value);
      next = item.next;
    }
    return { value: items, next };
  }
  throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
}

/** Sends one command to `host:port` and returns its reply; a Redis error reply rejects. */
export async function redisCommand(port: number, args: readonly (string | number)[], timeoutMs = 2000, host = '127.0.0.1'): Promise<RespValue> {
  const [reply] = await redisCommands(port, [args], timeoutMs, host);
  return reply ?? null;
}

/**
 * Sends several commands on one connection (so AUTH and SELECT apply to the ones after
 * them) and returns every reply; the first Redis error reply rejects.
 */
export function redisCommands(
  port: number,
  commands: readonly (readonly (string | number)[])[],
  timeoutMs = 2000,
  host = '127.0.0.1',
): Promise<RespValue[]> {
  const what = commands.map((c) => String(c[0])).join(', ');
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${what} from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (error: Error | null, values?: RespValue[]): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(values ?? []);
    };
    socket.on('connect', () => socket.write(commands.map(encode).join('')));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const values: RespValue[] = [];
        let at = 0;
        while (values.length < commands.length) {
          const reply = parse(buf, at);
          if (!reply) return;
          if (reply.value instanceof RespError) return finish(reply.value);
          values.push(reply.value);
          at = reply.next;
        }
        finish(null, values);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`${host}:${port} closed the connection before answering ${what}`)));
  });
}
