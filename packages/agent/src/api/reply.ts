/**
 * The four ways Patroni answers (spec/api.md §1.1): a bare status line (HEAD, OPTIONS,
 * probes), JSON, a plain message (sent as `text/html`, as Patroni does), and Python's
 * HTML error page (`send_error`). Every reply closes the connection: Patroni speaks
 * HTTP/1.0, and some health checkers count on it.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';

export interface ReplyHeaders {
  /** `restapi.http_extra_headers` (plus `https_extra_headers` under TLS). */
  readonly extra: Readonly<Record<string, string>>;
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** Responses already answered through `writeStatusLineOnly`, which bypasses `res`. */
const answered = new WeakSet<ServerResponse>();

/**
 * Whether this exchange has been answered (or its connection is gone). Every writer
 * below checks it first, so a late second answer — a handler finishing after the
 * connection guard answered 408, or the router's 500 after a partial reply — is dropped
 * instead of throwing `ERR_HTTP_HEADERS_SENT`.
 */
export function responded(res: ServerResponse): boolean {
  return answered.has(res) || res.headersSent || res.writableEnded || res.destroyed;
}

/**
 * Only `HTTP/1.0 <code> <reason>` and a blank line: no headers, no body. HAProxy's
 * `option httpchk` reads nothing more, and this is byte for byte what Patroni sends.
 */
export function writeStatusLineOnly(res: ServerResponse, status: number): void {
  const socket = res.socket;
  if (!socket || socket.writableEnded || socket.destroyed || responded(res)) return;
  answered.add(res);
  socket.end(`HTTP/1.0 ${status} ${reason(status)}\r\n\r\n`);
}

export function writeResponse(
  res: ServerResponse,
  headers: ReplyHeaders,
  status: number,
  body: string,
  contentType = 'text/html',
  more: Readonly<Record<string, string>> = {},
): void {
  if (responded(res)) return;
  const payload = Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  for (const [k, v] of Object.entries(more)) res.setHeader(k, v);
  for (const [k, v] of Object.entries(headers.extra)) res.setHeader(k, v);
  res.setHeader('Content-Length', payload.length);
  res.setHeader('Connection', 'close');
  res.end(payload);
}

export function writeJson(res: ServerResponse, headers: ReplyHeaders, status: number, value: unknown): void {
  writeResponse(res, headers, status, JSON.stringify(value), 'application/json');
}

function errorPage(status: number, message: string | undefined): Buffer {
  const text = escapeHtml(message ?? reason(status));
  const body =
    '<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error response</title>\n</head>\n<body>\n' +
    `<h1>Error response</h1>\n<p>Error code: ${status}</p>\n<p>Message: ${text}.</p>\n</body>\n</html>\n`;
  return Buffer.from(body, 'utf8');
}

/** An HTML error page, as Python's `send_error` produces: no extra headers, connection closed. */
export function sendError(res: ServerResponse, status: number, message?: string): void {
  if (responded(res)) return;
  const payload = errorPage(status, message);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html;charset=utf-8');
  res.setHeader('Content-Length', payload.length);
  res.setHeader('Connection', 'close');
  res.end(payload);
}

/**
 * The same error page as a complete HTTP/1.0 response, for answers written straight to
 * the socket when Node's parser refused the request and there is no `ServerResponse`.
 * The status line carries the standard reason; the message (which may quote the
 * client's bytes) goes only into the escaped body.
 */
export function rawErrorResponse(status: number, message?: string, head = false): Buffer {
  const payload = errorPage(status, message);
  const statusAndHeaders =
    `HTTP/1.0 ${status} ${reason(status)}\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/html;charset=utf-8\r\n' +
    `Content-Length: ${payload.length}\r\n\r\n`;
  // As Python's send_error: a HEAD request gets the headers of the page but not the page.
  return head ? Buffer.from(statusAndHeaders, 'latin1') : Buffer.concat([Buffer.from(statusAndHeaders, 'latin1'), payload]);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
