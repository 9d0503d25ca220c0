/**
 * Request bodies as Patroni reads them: the `Content-Length` header decides. A required
 * body without it → 411; bad JSON, a non-object or `{}` → 400. An optional body that is
 * absent or empty reads as `{}`.
 *
 * What Python does not have: a body nested deeper than `MAX_JSON_DEPTH` → 400 (Python's
 * json raises RecursionError near 1,000 levels, which Patroni also answers with 400);
 * a body larger than 1 MiB → 400; a body not received within the read deadline → 408;
 * a body cut short by the client → 400. Handlers get a `JsonObject` whose values are
 * still `unknown` in practice: each must check the type of every field it reads.
 */
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '@pgwarden/core';
import { DEFAULT_HTTP_TIMEOUTS, MAX_JSON_DEPTH } from './http-limits.js';

/** Bodies beyond this are refused as bad requests; no Patroni request comes close. */
const MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult = { readonly ok: true; readonly value: JsonObject } | { readonly ok: false; readonly status: 400 | 408 | 411 };

/** The body deadline of each request, set by the server from its options. */
const deadlines = new WeakMap<IncomingMessage, number>();

/** Sets how long a handler may wait for this request's body (`HttpTimeouts.bodyMs`). */
export function setBodyDeadline(req: IncomingMessage, ms: number): void {
  deadlines.set(req, ms);
}

export async function readJsonBody(req: IncomingMessage, optional: boolean): Promise<BodyResult> {
  const header = req.headers['content-length'];
  if (header === undefined) {
    req.resume(); // nothing to read; let the stream finish
    return optional ? { ok: true, value: {} } : { ok: false, status: 411 };
  }
  const length = Number.parseInt(header, 10);
  if (!Number.isFinite(length) || length < 0 || length > MAX_BODY_BYTES) return { ok: false, status: 400 };
  const read = await readAll(req, deadlines.get(req) ?? DEFAULT_HTTP_TIMEOUTS.bodyMs);
  if (!read.ok) return read;
  const text = read.text;
  if (length === 0 && optional) return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: 400 };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, status: 400 };
  if (Object.keys(parsed).length === 0 && !optional) return { ok: false, status: 400 };
  if (deeperThan(parsed, MAX_JSON_DEPTH)) return { ok: false, status: 400 };
  return { ok: true, value: parsed as JsonObject };
}

/** Whether objects and arrays nest more than `max` levels; iterative, so any depth is safe to check. */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

type ReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: 400 | 408 };

/**
 * The body, or 408 when it has not all arrived within `deadlineMs` (a client dripping
 * bytes would otherwise hold the connection until Node's request timeout), or 400 when
 * the client goes away or the stream fails part way.
 */
function readAll(req: IncomingMessage, deadlineMs: number): Promise<ReadResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: ReadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
      req.off('close', onFail);
      if (!result.ok) req.resume(); // drop whatever else arrives; the reply closes the connection
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return finish({ ok: false, status: 400 });
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    const onFail = (): void => finish({ ok: false, status: 400 });
    const timer = setTimeout(() => finish({ ok: false, status: 408 }), deadlineMs);
    timer.unref();
    if (req.readableEnded) return onEnd();
    if (req.destroyed) return onFail();
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onFail);
    req.once('close', onFail);
  });
}
