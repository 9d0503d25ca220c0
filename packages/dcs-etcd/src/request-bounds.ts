/**
 * How long one request to etcd may take: a timeout and an AbortSignal, either of which
 * gives the request up. Both transports (node:http and the plain keepalive socket) use
 * this, so a request given up fails the same way on either.
 */

export interface RequestOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** The request's timeout passed, or its signal aborted: the request was destroyed. */
export class RequestTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * Calls `giveUp` once, with a RequestTimeoutError, when the timeout passes or the signal
 * aborts (an already aborted signal gives up on the next microtask); the caller destroys
 * its request there. Returns the function that disarms both (call it once answered).
 */
export function boundRequest(options: RequestOptions, giveUp: (error: RequestTimeoutError) => void): () => void {
  let done = false;
  const stop = (): void => {
    done = true;
    clearTimeout(timer);
    options.signal.removeEventListener('abort', abort);
  };
  const fire = (why: string): void => {
    if (done) return;
    stop();
    giveUp(new RequestTimeoutError(why));
  };
  const timer = setTimeout(() => fire(`no answer within ${Math.round(options.timeoutMs)} ms`), Math.max(0, options.timeoutMs));
  const abort = (): void => fire('the call was abandoned (deadline or cancellation)');
  if (options.signal.aborted) queueMicrotask(abort);
  else options.signal.addEventListener('abort', abort, { once: true });
  return stop;
}
