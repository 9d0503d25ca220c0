/**
 * The HTTP layer below the router: every connection gets a well-formed answer, as
 * Python's `http.server` gives one (see request-line.ts for the status codes), and no
 * client holds a connection longer than the deadlines in http-limits.ts.
 *
 * Node's parser refuses some requests before any handler runs and reports them as
 * `clientError`; by default Node answers a bare 400/431 or just closes. The guard
 * answers those itself, with Python's codes. To tell a bad method from a bad line and
 * a long URI from long headers it keeps the first request line of each connection: a
 * `data` listener that runs before the parser copies bytes until the first LF (at most
 * 64 KiB), then detaches. A line longer than Python's limit is answered 414 as soon as
 * the 65,537th byte arrives, as Python does.
 *
 * The head and request deadlines are kept here too, by a timer per connection (see
 * request-deadline.ts); a request past one is answered 408 like any other slow client.
 *
 * Patroni closes the connection after every request, and so does pgwarden: a request
 * that follows on the same connection is never served by Patroni, and the guard ignores
 * parse errors in such trailing bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@pgwarden/core';
import { MAX_HEADER_LINES, MAX_REQUEST_LINE_BYTES, type HttpTimeouts } from './http-limits.js';
import { rawErrorResponse, responded, sendError } from './reply.js';
import { keepRequestDeadlines, requestTimeoutError } from './request-deadline.js';
import { classifyRequestLine, tooManyHeaders, unsupportedMethod, uriTooLong, verdictForParseError, type HttpVerdict } from './request-line.js';

interface ConnectionState {
  /** Bytes of the first line seen so far, while its LF has not arrived. */
  pending: Buffer[];
  pendingBytes: number;
  /** The first request line (latin-1, line ending stripped), once complete. */
  line: string | null;
  /** Detaches the line sniffer. */
  stopSniffing: () => void;
  /** A parser error that arrived before the line was complete waits here for it. */
  onLine: (() => void) | null;
  /** Requests Node has handed to the server on this connection. */
  requests: number;
  /** The exchange being handled, if any. */
  request: IncomingMessage | null;
  response: ServerResponse | null;
  /** The guard wrote a raw answer; the socket is closing. */
  answeredRaw: boolean;
  /** A destroy timer is armed. */
  lingering: boolean;
}

export class ConnectionGuard {
  private readonly states = new WeakMap<Socket, ConnectionState>();

  constructor(
    private readonly timeouts: HttpTimeouts,
    private readonly logger: Logger,
  ) {}

  /** For every connection the HTTP parser reads from (TLS: the decrypted socket). */
  attach(socket: Socket): void {
    const state: ConnectionState = {
      pending: [],
      pendingBytes: 0,
      line: null,
      stopSniffing: () => {},
      onLine: null,
      requests: 0,
      request: null,
      response: null,
      answeredRaw: false,
      lingering: false,
    };
    this.states.set(socket, state);
    const sniff = (chunk: Buffer): void => this.sniff(socket, state, chunk);
    // Prepended so it sees each chunk before the parser, whose errors then find the line.
    socket.prependListener('data', sniff);
    state.stopSniffing = () => {
      socket.off('data', sniff);
      state.pending = [];
    };
    keepRequestDeadlines(
      socket,
      this.timeouts,
      {
        headComplete: () => state.requests > 0 || state.answeredRaw,
        // The exchange's response closed (request null): whatever the request was, it is over.
        requestComplete: () => state.answeredRaw || (state.requests > 0 && (state.request?.complete ?? true)),
      },
      () => this.onClientError(requestTimeoutError(), socket),
    );
  }

  private sniff(socket: Socket, state: ConnectionState, chunk: Buffer): void {
    let start = 0;
    // Node skips empty lines before a request line (RFC 9112 §2.2), so the sniffer does too.
    if (state.pendingBytes === 0) {
      while (start < chunk.length && (chunk[start] === 0x0d || chunk[start] === 0x0a)) start++;
    }
    const lf = chunk.indexOf(0x0a, start);
    const end = lf < 0 ? chunk.length : lf + 1;
    const lineBytes = state.pendingBytes + (end - start);
    if (lineBytes > MAX_REQUEST_LINE_BYTES) {
      state.pending.push(chunk.subarray(start, start + 16)); // the line's start may be this chunk: answerRaw looks for HEAD
      this.answerRaw(socket, uriTooLong());
      return;
    }
    if (lf < 0) {
      if (end > start) state.pending.push(chunk.subarray(start));
      state.pendingBytes = lineBytes;
      return;
    }
    state.line = Buffer.concat([...state.pending, chunk.subarray(start, lf)]).toString('latin1').replace(/[\r\n]+$/, '');
    state.stopSniffing();
    const waiting = state.onLine;
    state.onLine = null;
    waiting?.();
  }

  /**
   * Called first for every request Node parsed. Returns Python's answer when the head
   * is one Python refuses (a line Node accepted but Python does not, 100+ headers), and
   * tracks the exchange for the timeout and error paths.
   */
  onRequest(req: IncomingMessage, res: ServerResponse): HttpVerdict | 'already-answered' | null {
    const state = this.states.get(req.socket);
    if (!state) return null;
    // The guard refused this connection (a 414 as the line passed 64 KiB) while Node's
    // parser, with its larger limit, went on to parse the request: it gets nothing more.
    if (state.answeredRaw) return 'already-answered';
    state.requests += 1;
    state.request = req;
    state.response = res;
    res.once('close', () => {
      if (state.response === res) {
        state.request = null;
        state.response = null;
      }
    });
    if (state.requests === 1 && state.line !== null) {
      const verdict = classifyRequestLine(state.line);
      if (verdict) return verdict;
    } else if (req.httpVersionMajor >= 2) {
      return { status: 505, message: `Invalid HTTP version (${req.httpVersion})` };
    }
    return checkHeaders(req.rawHeaders);
  }

  /** `CONNECT` reaches its own event, never the request handler; Patroni has no `do_CONNECT`, hence 501. */
  onConnect(req: IncomingMessage, socket: Socket): void {
    const state = this.states.get(socket);
    const lineVerdict = state?.line != null ? classifyRequestLine(state.line) : null;
    const verdict = lineVerdict ?? checkHeaders(req.rawHeaders) ?? unsupportedMethod(req.method ?? 'CONNECT');
    this.answerRaw(socket, verdict);
  }

  /** Node's parser refused the bytes, or a request timed out (`ERR_HTTP_REQUEST_TIMEOUT`). */
  onClientError(err: Error & { code?: string }, socket: Socket): void {
    const state = this.states.get(socket);
    if (!state || socket.destroyed) {
      socket.destroy();
      return;
    }
    const code = err.code;
    if (state.answeredRaw) return; // already answering; the linger timer closes the socket
    // Waiting for the end of the line: every further chunk repeats the parser's error.
    if (state.onLine && code !== 'ERR_HTTP_REQUEST_TIMEOUT') return;
    const { request, response } = state;
    if (request && response) {
      // A request is being handled. An error while its body was still arriving (a bad
      // chunk, the request deadline) is answered through the response. One in bytes after
      // a complete request belongs to a request Patroni would never read: the handler
      // answers, and its reply closes the connection.
      if (!request.complete && !responded(response)) {
        sendError(response, code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400);
      }
      if (responded(response)) this.lingerThenDestroy(socket);
      return;
    }
    if (state.requests > 0) {
      // The one request this connection gets has been answered; the rest is noise.
      this.lingerThenDestroy(socket);
      return;
    }
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      this.answerRaw(socket, { status: 408, message: 'Request Timeout' });
      return;
    }
    if (!code?.startsWith('HPE_')) {
      socket.destroy(); // ECONNRESET and the like: nobody to answer
      return;
    }
    if (code === 'HPE_HEADER_OVERFLOW' || state.line !== null) {
      this.answerRaw(socket, verdictForParseError(code, state.line));
      return;
    }
    // Node refused the line before its end arrived (it knows `FO` starts no method);
    // Python reads the whole line first, and so must the guard to answer as Python does.
    // A client that stops sending (EOF) gets the verdict on what it sent, as from Python's
    // `readline`; one that goes quiet meets the idle timeout.
    const answerPartial = (): void => {
      const line = state.line ?? Buffer.concat(state.pending).toString('latin1').replace(/[\r\n]+$/, '');
      this.answerRaw(socket, verdictForParseError(code, line));
    };
    if (code === 'HPE_INVALID_EOF_STATE' || socket.readableEnded) {
      answerPartial();
      return;
    }
    state.onLine = answerPartial;
    // Prepended: Node's own 'end' listener ends the socket, which would leave no way to answer.
    socket.prependOnceListener('end', () => {
      if (state.onLine === answerPartial) answerPartial();
    });
  }

  /**
   * The connection was idle for `idleMs`. A request whose head and body have arrived
   * is left to its handler (switchovers wait for the new leader); otherwise 408.
   */
  onTimeout(socket: Socket): void {
    const state = this.states.get(socket);
    if (!state || state.answeredRaw) {
      socket.destroy();
      return;
    }
    const { request, response } = state;
    if (request && response) {
      if (request.complete && !responded(response)) return;
      if (!responded(response)) {
        sendError(response, 408);
        this.lingerThenDestroy(socket);
      } else {
        socket.destroy(); // answered, and the client is not reading it
      }
      return;
    }
    if (state.requests > 0) {
      socket.destroy();
      return;
    }
    this.answerRaw(socket, { status: 408, message: 'Request Timeout' });
  }

  /** Writes a complete error response straight to the socket and closes it. */
  private answerRaw(socket: Socket, verdict: HttpVerdict): void {
    const state = this.states.get(socket);
    // A HEAD request gets the headers without the page, as from Python's send_error.
    const head = /^HEAD[ \t]/.test(state?.line ?? Buffer.concat(state?.pending ?? []).toString('latin1'));
    if (state) {
      if (state.answeredRaw) return;
      state.answeredRaw = true;
      state.onLine = null;
      state.stopSniffing();
    }
    this.logger.debug('Refused a malformed or slow HTTP request', { status: verdict.status, message: verdict.message.slice(0, 200) });
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(rawErrorResponse(verdict.status, verdict.message, head));
    this.lingerThenDestroy(socket);
  }

  /**
   * Gives the client `lingerMs` to read the answer, then destroys the socket. Closing at
   * once could reset the connection while the client is still sending, and a reset can
   * discard the answer before the client reads it.
   */
  private lingerThenDestroy(socket: Socket): void {
    const state = this.states.get(socket);
    if (state) {
      if (state.lingering) return;
      state.lingering = true;
    }
    const timer = setTimeout(() => socket.destroy(), this.timeouts.lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }
}

/** Python's header limits: 100 lines or more → 431 `Too many headers`; one line over 64 KiB → 431 `Line too long`. */
function checkHeaders(rawHeaders: readonly string[]): HttpVerdict | null {
  if (rawHeaders.length / 2 >= MAX_HEADER_LINES) return tooManyHeaders();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    // `name: value\r\n`; Node hands both over as latin-1, one char per byte.
    if (rawHeaders[i]!.length + rawHeaders[i + 1]!.length + 4 > MAX_REQUEST_LINE_BYTES) return { status: 431, message: 'Line too long' };
  }
  return null;
}
