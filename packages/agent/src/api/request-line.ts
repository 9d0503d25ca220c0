/**
 * How Python's `http.server` (Patroni's `BaseHTTPRequestHandler`) judges a request
 * line and head, so pgwarden answers malformed requests with the same status codes.
 * From CPython's `handle_one_request` and `parse_request` (3.8–3.13), checked against a
 * live Python 3.11 server:
 *
 * | request                                                   | Python                              | pgwarden |
 * |-----------------------------------------------------------|-------------------------------------|----------|
 * | request line over 65,536 bytes (CRLF included)            | 414 Request-URI Too Long            | same     |
 * | ≥ 3 words, last not `HTTP/<d+>.<d+>` (≤ 10 digits each)  | 400 Bad request version ('…')       | same     |
 * | version ≥ 2.0 (`HTTP/2.0`, `HTTP/12.3`, `PRI * HTTP/2.0`) | 505 Invalid HTTP version (X.Y)      | same     |
 * | not 2 or 3 words (`GARBAGE`, `a b c HTTP/1.1`)            | 400 Bad request syntax ('…')        | same     |
 * | 2 words (HTTP/0.9) with a method other than GET           | 400 Bad HTTP/0.9 request type ('…') | same     |
 * | 100 header lines or more                                  | 431 Too many headers                | same     |
 * | a header line over 65,536 bytes                           | 431 Line too long                   | same (and 431 for a head over 128 KiB) |
 * | a method without a `do_<METHOD>` (`FOO`, `get`, `CONNECT`) | 501 Unsupported method ('…')       | same     |
 * | a blank or whitespace-only line                           | closes without a reply              | 400      |
 *
 * Python sends those early errors without a status line (its `request_version` is still
 * HTTP/0.9 when the line is refused); pgwarden always sends a complete response.
 *
 * Node's parser (llhttp) is stricter than Python's: it refuses some lines Python serves
 * (a bare LF, a tab between words, control characters in the URL, `HTTP/1.2`, a header
 * name with a space). Those get 400, or 505 for a well-formed version below 2.0 that
 * Node cannot parse.
 */
import { METHODS } from 'node:http';
import { MAX_REQUEST_LINE_BYTES } from './http-limits.js';

export interface HttpVerdict {
  readonly status: number;
  /** Python's `send_error` message, shown in the error page. */
  readonly message: string;
}

/** `str.split()` on a latin-1 string: ASCII whitespace, the separators \x1c–\x1f, NEL and NBSP. */
const PY_WHITESPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]+/;

/**
 * Python's verdict on a complete request line (latin-1, without its line ending), or
 * null when Python would go on to read the headers.
 */
export function classifyRequestLine(line: string): HttpVerdict | null {
  const words = line.split(PY_WHITESPACE).filter((w) => w !== '');
  if (words.length === 0) return { status: 400, message: `Bad request syntax (${pyRepr(line)})` };
  if (words.length >= 3) {
    const version = words[words.length - 1]!;
    const numbers = version.startsWith('HTTP/') ? version.slice(5).split('.') : [];
    if (numbers.length !== 2 || !numbers.every((n) => /^[0-9]{1,10}$/.test(n))) {
      return { status: 400, message: `Bad request version (${pyRepr(version)})` };
    }
    if (Number(numbers[0]) >= 2) return { status: 505, message: `Invalid HTTP version (${version.slice(5)})` };
  }
  if (words.length > 3) return { status: 400, message: `Bad request syntax (${pyRepr(line)})` };
  if (words.length === 1) return { status: 400, message: `Bad request syntax (${pyRepr(line)})` };
  if (words.length === 2 && words[0] !== 'GET') return { status: 400, message: `Bad HTTP/0.9 request type (${pyRepr(words[0]!)})` };
  return null;
}

/** The request line is longer than Python's `readline(65537)` allows. */
export function uriTooLong(): HttpVerdict {
  return { status: 414, message: 'Request-URI Too Long' };
}

export function tooManyHeaders(): HttpVerdict {
  return { status: 431, message: 'Too many headers' };
}

export function unsupportedMethod(method: string): HttpVerdict {
  return { status: 501, message: `Unsupported method (${pyRepr(method)})` };
}

/**
 * The answer to an error Node's parser reported (`clientError`), given the request line
 * when it is complete. A line Python accepts but Node refused: an unknown method → 501,
 * an unparsable version → 505, anything else → 400.
 */
export function verdictForParseError(code: string | undefined, line: string | null): HttpVerdict {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return line === null ? uriTooLong() : { status: 431, message: 'Request Header Fields Too Large' };
  }
  if (line === null) return { status: 400, message: 'Bad request' };
  if (Buffer.byteLength(line, 'latin1') + 2 > MAX_REQUEST_LINE_BYTES) return uriTooLong();
  const verdict = classifyRequestLine(line);
  if (verdict) return verdict;
  const method = line.split(PY_WHITESPACE).find((w) => w !== '') ?? '';
  // Node knows every method it can parse; one it refused is unknown to it, as to Patroni.
  if (code === 'HPE_INVALID_METHOD' && !METHODS.includes(method)) return unsupportedMethod(method);
  if (code === 'HPE_INVALID_VERSION') return { status: 505, message: 'HTTP Version Not Supported' };
  return { status: 400, message: `Bad request (${code ?? 'unparsable'})` };
}

/** Python's `repr()` of a str whose code points are all below 256 (a latin-1 decoded line). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xad) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c > 0xff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}
