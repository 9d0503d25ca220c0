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

/**
 * Only `HTTP/1.0 <code> <reason>` and a blank line: no headers, no body. HAProxy's
 * `option httpchk` reads nothing more, and this is byte for byte what Patroni sends.
 */
export function writeStatusLineOnly(res: ServerResponse, status: number): void {
  const socket = res.socket;
  if (!socket) return;
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

/** An HTML error page, as Python's `send_error` produces: no extra headers, connection closed. */
export function sendError(res: ServerResponse, status: number, message?: string): void {
  const text = escapeHtml(message ?? reason(status));
  const body =
    '<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error response</title>\n</head>\n<body>\n' +
    `<h1>Error response</h1>\n<p>Error code: ${status}</p>\n<p>Message: ${text}.</p>\n</body>\n</html>\n`;
  const payload = Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html;charset=utf-8');
  res.setHeader('Content-Length', payload.length);
  res.setHeader('Connection', 'close');
  res.end(payload);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
