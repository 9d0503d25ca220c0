/**
 * Tells systemd how the service is doing when it runs the agent as a `Type=notify` unit
 * (NOTIFY_SOCKET set): READY=1 once the first HA cycle has run, STOPPING=1 when the
 * shutdown begins. Node has no unix datagram sockets, so the message goes through
 * `systemd-notify` (Debian package `systemd`). By default that tool waits until systemd
 * has processed the message, so it is attributed to this unit even though the helper
 * exits right after; `--pid` names the agent as the main process (`NotifyAccess=all` in
 * the unit lets systemd accept a message sent by the helper).
 * Without NOTIFY_SOCKET nothing is sent; without the tool the agent says once, clearly,
 * that systemd cannot be told and keeps running.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '@pgwarden/core';

export interface ServiceNotifier {
  /** READY=1 (once; later calls do nothing). */
  ready(): void;
  /** STOPPING=1 (once). */
  stopping(): void;
}

export interface NotifierOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** The main PID systemd should watch: this process. */
  readonly pid?: number;
  /** The helper to run; `systemd-notify` from PATH. */
  readonly command?: string;
}

/** systemd-notify waits up to 5 s for systemd to process a message; a stuck helper is killed after this. */
const HELPER_DEADLINE_MS = 15_000;

export function serviceNotifier(options: NotifierOptions): ServiceNotifier {
  const socket = options.env.NOTIFY_SOCKET;
  if (!socket) return { ready: () => undefined, stopping: () => undefined };
  const { logger } = options;
  const command = options.command ?? 'systemd-notify';
  const pid = options.pid ?? process.pid;
  let cannotSignal = false;
  const sent = new Set<string>();

  const send = (what: string, args: readonly string[]): void => {
    if (cannotSignal || sent.has(what)) return;
    sent.add(what);
    let stderr = '';
    let failedToStart = false;
    const child = spawn(command, [...args], {
      env: { PATH: options.env.PATH ?? '/usr/bin:/bin', NOTIFY_SOCKET: socket },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_DEADLINE_MS);
    timer.unref();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      failedToStart = true;
      cannotSignal = true;
      const why = error.code === 'ENOENT' ? `${command} was not found on PATH (install the systemd package)` : `${command} failed to start: ${error.message}`;
      logger.warn(`NOTIFY_SOCKET is set but systemd cannot be told that pgwarden is ${what}: ${why}. A Type=notify unit will time out; use Type=simple or install systemd-notify.`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        logger.info(`Told systemd: ${what}`);
        return;
      }
      if (failedToStart) return; // 'error' said why
      logger.warn(`${command} ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim() || 'no message'}; systemd may not know that pgwarden is ${what}`);
    });
  };

  return {
    ready: () => send('ready', ['--ready', `--pid=${pid}`, 'STATUS=first HA cycle done']),
    stopping: () => send('stopping', ['STOPPING=1']),
  };
}
