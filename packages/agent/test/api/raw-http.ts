/**
 * A raw TCP client for the HTTP-layer tests: sends exact bytes (optionally in pieces,
 * with pauses), collects everything the server writes until it closes, and checks that
 * what came back is one well-formed HTTP response.
 */
import { connect } from 'node:net';

export interface Exchange {
  /** Everything the server sent, decoded as latin-1 (one char per byte). */
  readonly text: string;
  /** The server closed the connection (FIN or reset) before the client gave up. */
  readonly closed: boolean;
  /** A socket error the client saw (ECONNRESET…), if any. */
  readonly error: string | null;
  /** From connect to close (or give-up). */
  readonly ms: number;
}

export interface SendOptions {
  /** Pause between pieces. */
  readonly delayMs?: number;
  /** Give up (and destroy the socket) after this long. */
  readonly timeoutMs?: number;
}

export function exchange(url: string, pieces: string | Buffer | readonly (string | Buffer)[], options: SendOptions = {}): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  const list = typeof pieces === 'string' || Buffer.isBuffer(pieces) ? [pieces] : pieces;
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, error, ms: Date.now() - started });
    };
    const giveUp = setTimeout(() => finish(false), options.timeoutMs ?? 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => finish(true));
    socket.on('connect', async () => {
      for (let i = 0; i < list.length; i++) {
        if (socket.destroyed || done) return;
        if (i > 0 && options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        if (socket.destroyed || done) return;
        const piece = list[i]!;
        socket.write(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece); // strings are bytes, one per char
      }
    });
  });
}

export interface ParsedResponse {
  readonly status: number;
  readonly statusLine: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The final response in `text` (after any `100 Continue`), or the reason it is not a
 * well-formed HTTP/1.x response: a status line with a 3-digit code, header lines
 * `name: value` ended by a blank line, and exactly `Content-Length` body bytes.
 */
export function parseResponse(text: string, request: { readonly head?: boolean } = {}): ParsedResponse | string {
  let rest = text;
  for (;;) {
    const m = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?\r\n/.exec(rest);
    if (!m) return `no status line in ${JSON.stringify(rest.slice(0, 80))}`;
    const status = Number(m[1]);
    const headEnd = rest.indexOf('\r\n\r\n', m[0].length - 2);
    if (headEnd < 0) return `unterminated head in ${JSON.stringify(rest.slice(0, 200))}`;
    const headerText = rest.slice(m[0].length, headEnd);
    const headers: Record<string, string> = {};
    for (const line of headerText === '' ? [] : headerText.split('\r\n')) {
      const h = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
      if (!h) return `bad header line ${JSON.stringify(line)}`;
      headers[h[1]!.toLowerCase()] = h[2]!;
    }
    const body = rest.slice(headEnd + 4);
    if (status >= 100 && status < 200) {
      rest = body;
      continue;
    }
    const length = headers['content-length'];
    // A response to HEAD carries the Content-Length of the body it leaves out (RFC 9110 §9.3.2).
    if (request.head) {
      if (body.length > 0) return `a body of ${body.length} bytes in a response to HEAD`;
      return { status, statusLine: m[0].slice(0, -2), headers, body };
    }
    if (length !== undefined && Number(length) !== body.length) return `Content-Length ${length} but ${body.length} body bytes`;
    if (length === undefined && headers['transfer-encoding'] === undefined && headerText !== '' && body.length > 0 && headers['connection'] !== 'close') {
      return 'a body without Content-Length on a connection that stays open';
    }
    return { status, statusLine: m[0].slice(0, -2), headers, body };
  }
}

/** `n` distinct header lines. */
export function headerLines(n: number): string {
  return Array.from({ length: n }, (_, i) => `X-Header-${i}: v\r\n`).join('');
}
