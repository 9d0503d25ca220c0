/**
 * Reads one HTTP/1.x answer from the bytes of a socket, in whatever pieces they arrive:
 * the status line, the headers (names case-insensitive), then a body framed by
 * `Transfer-Encoding: chunked` (chunk extensions and trailers ignored), by
 * `Content-Length`, or, with neither, by the server closing the connection.
 */

export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
  /** The connection must not carry another request (`Connection: close`, HTTP/1.0, or out of step). */
  readonly closes: boolean;
}

/** The bytes are not a well-formed HTTP/1.x answer: the connection cannot be trusted any more. */
export class HttpFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpFramingError';
  }
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Longest head, chunk-size line or trailer line accepted before the answer is called malformed. */
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 8 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const CHUNK_SIZE = /^[0-9a-f]{1,8}$/i;

/** Where the parser is: what the next bytes are. */
type Phase = 'head' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'sized-body' | 'body-until-close' | 'done';

export class HttpAnswerParser {
  private pending: Buffer = Buffer.alloc(0);
  private phase: Phase = 'head';
  private status = 0;
  private closes = false;
  /** Bytes still to come of the current chunk, or of a Content-Length body. */
  private left = 0;
  private readonly body: Buffer[] = [];
  /** Whether any byte of the answer has arrived. */
  started = false;

  /** Feeds the next bytes; returns the answer once it is complete, else null. Throws HttpFramingError. */
  push(bytes: Buffer): HttpAnswer | null {
    if (bytes.length > 0) this.started = true;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    while (this.step());
    return this.phase === 'done' ? this.answer() : null;
  }

  /** The server closed the connection: the answer when its body was framed by the close, else null (cut off). */
  end(): HttpAnswer | null {
    if (this.phase !== 'body-until-close') return null;
    this.phase = 'done';
    return this.answer();
  }

  /** Consumes what it can of `pending`; true when it moved to another phase and should go on. */
  private step(): boolean {
    switch (this.phase) {
      case 'head':
        return this.readHead();
      case 'chunk-size':
        return this.readChunkSize();
      case 'chunk-data':
        return this.readSized('chunk-end');
      case 'chunk-end':
        return this.readChunkEnd();
      case 'trailer':
        return this.readTrailer();
      case 'sized-body':
        return this.readSized('done');
      case 'body-until-close':
        this.take(this.pending.length);
        return false;
      case 'done':
        return false;
    }
  }

  private readHead(): boolean {
    const end = this.pending.indexOf(HEAD_END);
    if (end < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) throw new HttpFramingError(`the answer's headers exceed ${MAX_HEAD_BYTES} bytes`);
      return false;
    }
    const [statusLine = '', ...fields] = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(end + HEAD_END.length);
    const match = STATUS_LINE.exec(statusLine);
    if (!match) throw new HttpFramingError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const status = Number(match[2]);
    // 1xx (100 Continue): informational, the real answer follows.
    if (status < 200) return true;
    const headers = headerMap(fields);
    const connection = (headers.get('connection') ?? '').toLowerCase().split(',').map((token) => token.trim());
    this.status = status;
    this.closes = connection.includes('close') || (match[1] === '0' && !connection.includes('keep-alive'));
    this.phase = this.framing(headers);
    return true;
  }

  /** How the body is delimited (RFC 9112 §6.3). */
  private framing(headers: Map<string, string>): Phase {
    const transferEncoding = headers.get('transfer-encoding');
    const contentLength = headers.get('content-length');
    if (transferEncoding !== undefined) {
      if (/(?:^|,)\s*chunked\s*$/i.test(transferEncoding)) return 'chunk-size';
      this.closes = true;
      return 'body-until-close';
    }
    if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength)) throw new HttpFramingError(`bad Content-Length ${JSON.stringify(contentLength)}`);
      this.left = Number(contentLength);
      return this.left === 0 ? 'done' : 'sized-body';
    }
    if (this.status === 204 || this.status === 304) return 'done';
    this.closes = true;
    return 'body-until-close';
  }

  private readChunkSize(): boolean {
    const line = this.line();
    if (line === null) return false;
    // `size[;extension...]`: extensions carry nothing we use.
    const size = line.split(';', 1)[0]!.trim();
    if (!CHUNK_SIZE.test(size)) throw new HttpFramingError(`bad chunk size line ${JSON.stringify(line.slice(0, 80))}`);
    this.left = parseInt(size, 16);
    this.phase = this.left === 0 ? 'trailer' : 'chunk-data';
    return true;
  }

  /** Moves up to `left` body bytes from `pending`; once all came, goes to `next`. */
  private readSized(next: Phase): boolean {
    const count = Math.min(this.left, this.pending.length);
    if (count === 0) return false;
    this.take(count);
    this.left -= count;
    if (this.left > 0) return false;
    this.phase = next;
    return true;
  }

  private readChunkEnd(): boolean {
    if (this.pending.length < CRLF.length) return false;
    if (!this.pending.subarray(0, CRLF.length).equals(CRLF)) throw new HttpFramingError('a chunk is not followed by CRLF');
    this.pending = this.pending.subarray(CRLF.length);
    this.phase = 'chunk-size';
    return true;
  }

  /** After the last chunk: trailer fields (ignored) up to an empty line. */
  private readTrailer(): boolean {
    const line = this.line();
    if (line === null) return false;
    if (line === '') this.phase = 'done';
    return true;
  }

  /** The next CRLF-ended line, consumed; null until it has arrived. */
  private line(): string | null {
    const end = this.pending.indexOf(CRLF);
    if (end < 0) {
      if (this.pending.length > MAX_LINE_BYTES) throw new HttpFramingError(`a line of the answer exceeds ${MAX_LINE_BYTES} bytes`);
      return null;
    }
    const text = this.pending.subarray(0, end).toString('latin1');
    this.pending = this.pending.subarray(end + CRLF.length);
    return text;
  }

  private take(count: number): void {
    this.body.push(this.pending.subarray(0, count));
    this.pending = this.pending.subarray(count);
  }

  private answer(): HttpAnswer {
    // Bytes past the answer were not asked for (one request at a time): the connection is out of step.
    const closes = this.closes || this.pending.length > 0;
    return { status: this.status, body: this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body), closes };
  }
}

/** Header fields by lower-cased name; a repeated field's values joined with ", ". */
function headerMap(fields: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) throw new HttpFramingError(`not a header field: ${JSON.stringify(field.slice(0, 80))}`);
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).trim();
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return headers;
}
