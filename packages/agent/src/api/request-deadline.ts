/**
 * The head and request deadlines of http-limits.ts (`headersMs`, `requestMs`), kept by
 * one timer per connection.
 *
 * Node can keep them itself (`headersTimeout`, `requestTimeout`), but it checks them
 * from an interval that runs for the life of the server, connections or not, and a
 * deadline is missed by up to one period: at the 1 s that keeps the overshoot small,
 * that interval was about a quarter of an idle agent's wake-ups. A timer per connection
 * exists only while the connection does, and fires at the deadline itself.
 */
import type { Socket } from 'node:net';
import type { HttpTimeouts } from './http-limits.js';

/** What the deadline needs to know about the connection's one request. */
export interface RequestProgress {
  /** The request head has been parsed (or the connection was already answered). */
  headComplete(): boolean;
  /** The whole request, body included, has arrived (or its exchange is over). */
  requestComplete(): boolean;
}

/** Node's code for both deadlines, which the connection guard answers with 408. */
export function requestTimeoutError(): Error & { code: string } {
  return Object.assign(new Error('Request Timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
}

/**
 * Calls `expire` once the head is still incomplete `headersMs` after the connection
 * began, or the request `requestMs` after; nothing once the request is complete or the
 * socket closed. `requestMs` must be ≥ `headersMs` (resolveTimeouts sees to it).
 */
export function keepRequestDeadlines(
  socket: Socket,
  timeouts: Pick<HttpTimeouts, 'headersMs' | 'requestMs'>,
  progress: RequestProgress,
  expire: () => void,
): void {
  const started = performance.now();
  const check = (): void => {
    if (socket.destroyed) return;
    if (!progress.headComplete()) return expire();
    if (progress.requestComplete()) return;
    const left = timeouts.requestMs - (performance.now() - started);
    if (left <= 0) return expire();
    arm(left);
  };
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    timer = setTimeout(check, ms);
    timer.unref(); // the socket keeps the process alive, not its deadline
  };
  arm(timeouts.headersMs);
  socket.once('close', () => clearTimeout(timer));
}
