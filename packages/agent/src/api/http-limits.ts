/**
 * Limits of the REST API's HTTP layer: how much a request may carry and how long a
 * client may take to send it. The sizes are Python's `http.server` limits, which is
 * what Patroni runs on; the deadlines are pgwarden's own (Python has none, so one slow
 * client can hold a Patroni handler thread forever).
 */

/** Python's `handle_one_request` reads the request line with `readline(65537)`: a longer one → 414. */
export const MAX_REQUEST_LINE_BYTES = 65_536;

/**
 * Python's `http.client.parse_headers` refuses more than 100 lines, the blank line that
 * ends the head included: 100 headers or more → 431 `Too many headers`.
 */
export const MAX_HEADER_LINES = 100;

/**
 * Node's `maxHeaderSize` counts the URL and every header name and value. Python limits
 * each header line to 64 KiB but not their sum; pgwarden allows a full-size request line
 * plus 64 KiB of headers, which is far more than any health checker or patronictl sends.
 */
export const MAX_HEAD_BYTES = MAX_REQUEST_LINE_BYTES + 65_536;

/**
 * Python's `json` gives up (RecursionError → Patroni's 400) at about 1,000 levels of
 * nesting; pgwarden refuses bodies deeper than this before any handler walks them (some
 * of that code recurses, and 5,000 nested arrays overflow V8's stack).
 */
export const MAX_JSON_DEPTH = 900;

export interface HttpTimeouts {
  /**
   * The whole request head (line and headers). HAProxy, patronictl and peers send it in
   * one packet; a head still incomplete after 10 s is a slowloris, not a slow network.
   */
  readonly headersMs: number;
  /** The whole request, body included (Node's default is 300 s). Must be ≥ `headersMs`. */
  readonly requestMs: number;
  /**
   * Reading a body, from the handler's first read. The largest body any client sends is
   * a `PATCH /config` of a few KiB, which arrives with the head or right after it.
   */
  readonly bodyMs: number;
  /**
   * A connection with no traffic for this long is answered 408 and closed, unless its
   * request is complete and a handler is still working on it (a switchover waits up to
   * `2*max(10, loop_wait)` s for the new leader).
   */
  readonly idleMs: number;
  /** After an error answer, how long the client gets to read it before the socket is destroyed. */
  readonly lingerMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  bodyMs: 10_000,
  idleMs: 30_000,
  lingerMs: 2_000,
};

/** Fills in the defaults and keeps Node's rule that `headersMs` ≤ `requestMs`. */
export function resolveTimeouts(given: Partial<HttpTimeouts> | undefined): HttpTimeouts {
  const t = { ...DEFAULT_HTTP_TIMEOUTS, ...given };
  return { ...t, requestMs: Math.max(t.requestMs, t.headersMs) };
}
