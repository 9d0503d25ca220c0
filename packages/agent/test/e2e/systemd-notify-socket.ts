/**
 * A stand-in for systemd's notify socket: a unix datagram socket (python3, since Node
 * has none) that records every message with its arrival time, and closes the file
 * descriptor of a BARRIER=1 message the way systemd does, so `systemd-notify` returns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '@pgwarden/testkit';

const LISTENER = `
import array, json, os, socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
print(json.dumps({"listening": path}), flush=True)
while True:
    data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"at": time.time() * 1000, "message": data.decode("utf-8", "replace")}), flush=True)
`;

export interface NotifyMessage {
  /** Arrival, in ms since the epoch. */
  readonly at: number;
  /** VAR=VALUE lines. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface NotifySocket {
  readonly path: string;
  readonly messages: NotifyMessage[];
  close(): void;
}

export async function listenNotifySocket(): Promise<NotifySocket> {
  const python = findExecutable('python3');
  if (!python) throw new Error('python3 is needed to listen on a unix datagram socket: apt-get install -y python3');
  const dir = mkdtempSync('/tmp/pgwarden-notify-');
  chmodSync(dir, 0o755); // the agent runs as postgres when the tests run as root
  const path = join(dir, 'notify.sock');
  const child: ChildProcess = spawn(python, ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: NotifyMessage[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`the notify socket listener did not start: ${stderr}`)), 10_000);
    child.on('exit', (code) => reject(new Error(`the notify socket listener exited with ${code}: ${stderr}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, nl)) as { listening?: string; at?: number; message?: string };
        buffer = buffer.slice(nl + 1);
        if (line.listening) {
          clearTimeout(timer);
          resolve();
        } else if (line.message !== undefined) {
          const fields = Object.fromEntries(line.message.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
          messages.push({ at: line.at!, fields });
        }
      }
    });
  });
  return {
    path,
    messages,
    close: () => {
      if (child.pid && child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
