/**
 * Request bodies as Patroni reads them: the `Content-Length` header decides. A required
 * body without it → 411; bad JSON, a non-object or `{}` → 400. An optional body that is
 * absent or empty reads as `{}`.
 */
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '@pgwarden/core';

/** Bodies beyond this are refused as bad requests; no Patroni request comes close. */
const MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult = { readonly ok: true; readonly value: JsonObject } | { readonly ok: false; readonly status: 400 | 411 };

export async function readJsonBody(req: IncomingMessage, optional: boolean): Promise<BodyResult> {
  const header = req.headers['content-length'];
  if (header === undefined) {
    req.resume(); // nothing to read; let the stream finish
    return optional ? { ok: true, value: {} } : { ok: false, status: 411 };
  }
  const length = Number.parseInt(header, 10);
  if (!Number.isFinite(length) || length < 0 || length > MAX_BODY_BYTES) return { ok: false, status: 400 };
  const text = await readAll(req);
  if (length === 0 && optional) return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: 400 };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, status: 400 };
  if (Object.keys(parsed).length === 0 && !optional) return { ok: false, status: 400 };
  return { ok: true, value: parsed as JsonObject };
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
