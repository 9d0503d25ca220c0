/**
 * The HTTP face of the Consul double: the subset of Consul's API pgwarden uses, with
 * Consul's paths, status codes, bodies and headers. Anything else answers 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseGoDuration } from './durations.js';
import { ConsulError, type ConsulStore, type KvEntry, type Session } from './store.js';

export interface DoubleOptions {
  readonly datacenter: string;
  /** When set, every request must carry it (X-Consul-Token or ?token=). */
  readonly token?: string;
  readonly sessionTtlMinMs: number;
}

const MAX_WAIT_MS = 10 * 60_000;
const DEFAULT_WAIT_MS = 5 * 60_000;

export function createHandler(store: ConsulStore, options: DoubleOptions) {
  let requests = 0;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    try {
      const url = new URL(req.url ?? '/', 'http://double');
      const q = url.searchParams;
      const method = req.method ?? 'GET';
      if (url.pathname === '/_double/stats') return send(res, 200, { requests });
      authorize(req, q, options);
      if (q.has('dc') && q.get('dc') !== options.datacenter) throw new ConsulError(500, 'No path to datacenter');
      const path = url.pathname;

      if (path.startsWith('/v1/kv/')) {
        const key = decodeURIComponent(path.slice('/v1/kv/'.length));
        if (method === 'GET') return await kvGet(store, key, q, res);
        if (method === 'PUT') return send(res, 200, store.put(key, (await readBody(req)).toString('base64'), kvWrite(q)));
        if (method === 'DELETE') return send(res, 200, store.delete(key, { recurse: q.has('recurse'), cas: intParam(q, 'cas') }));
      }
      if (method === 'PUT' && path === '/v1/session/create') return send(res, 200, { ID: store.createSession(await readJson(req)).id });
      if (method === 'PUT' && path.startsWith('/v1/session/renew/')) {
        return send(res, 200, [sessionJson(store.renewSession(path.slice('/v1/session/renew/'.length)))]);
      }
      if (method === 'PUT' && path.startsWith('/v1/session/destroy/')) {
        store.destroySession(path.slice('/v1/session/destroy/'.length));
        return send(res, 200, true);
      }
      if (method === 'GET' && path.startsWith('/v1/session/info/')) {
        const session = store.sessions.get(path.slice('/v1/session/info/'.length));
        return send(res, 200, session ? [sessionJson(session)] : [], store.index);
      }
      if (method === 'GET' && path === '/v1/session/list') return send(res, 200, [...store.sessions.values()].map(sessionJson), store.index);
      if (method === 'GET' && path === '/v1/agent/self') {
        return send(res, 200, {
          Config: { Datacenter: options.datacenter, NodeName: store.options.nodeName, SessionTTLMin: options.sessionTtlMinMs * 1e6 },
          DebugConfig: { SessionTTLMin: `${options.sessionTtlMinMs / 1000}s` },
          Member: { Name: store.options.nodeName, Addr: '127.0.0.1', Port: 8301 },
        });
      }
      if (method === 'PUT' && path === '/v1/agent/service/register') {
        const body = await readJson(req);
        const id = String(body.ID ?? body.id ?? body.Name ?? body.name ?? '');
        if (!id) throw new ConsulError(400, 'Missing service name');
        store.services.set(id, { id, body });
        store.changed();
        return send(res, 200, null);
      }
      if (method === 'PUT' && path.startsWith('/v1/agent/service/deregister/')) {
        const id = decodeURIComponent(path.slice('/v1/agent/service/deregister/'.length));
        if (!store.services.delete(id)) throw new ConsulError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
        store.changed();
        return send(res, 200, null);
      }
      if (method === 'GET' && path === '/v1/agent/services') {
        return send(res, 200, Object.fromEntries([...store.services.values()].map((s) => [s.id, s.body])));
      }
      if (method === 'GET' && path === '/v1/status/leader') return send(res, 200, '127.0.0.1:8300');
      throw new ConsulError(404, `no handler for ${method} ${path}`);
    } catch (error) {
      if (error instanceof ConsulError) return sendText(res, error.status, error.message);
      return sendText(res, 500, error instanceof Error ? error.message : String(error));
    }
  };
}

async function kvGet(store: ConsulStore, key: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
  const recurse = q.has('recurse');
  const wanted = intParam(q, 'index');
  if (wanted !== undefined && wanted > 0 && store.queryIndex(key, recurse) <= wanted) {
    const waitMs = Math.min(q.has('wait') ? (parseGoDuration(q.get('wait')!) ?? DEFAULT_WAIT_MS) : DEFAULT_WAIT_MS, MAX_WAIT_MS);
    const until = Date.now() + waitMs + Math.random() * (waitMs / 16); // Consul adds up to wait/16 of jitter
    while (store.queryIndex(key, recurse) <= wanted && Date.now() < until) await store.waitForChange(until - Date.now());
  }
  const index = store.queryIndex(key, recurse);
  const entries: [string, KvEntry][] = recurse ? store.list(key) : store.get(key) ? [[key, store.get(key)!]] : [];
  if (q.has('keys')) return send(res, entries.length ? 200 : 404, entries.length ? entries.map(([k]) => k) : null, index);
  if (!entries.length) return sendText(res, 404, '', index);
  if (q.has('raw') && !recurse) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...indexHeaders(index) });
    res.end(Buffer.from(entries[0]![1].value ?? '', 'base64'));
    return;
  }
  send(res, 200, entries.map(([k, e]) => kvJson(k, e)), index);
}

function kvWrite(q: URLSearchParams): { cas?: number; acquire?: string; release?: string; flags?: number } {
  return {
    cas: intParam(q, 'cas'),
    acquire: q.get('acquire') ?? undefined,
    release: q.get('release') ?? undefined,
    flags: intParam(q, 'flags'),
  };
}

/** Field order as in Consul's documentation examples; `Session` only when locked. */
function kvJson(key: string, e: KvEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
    LockIndex: e.lockIndex,
    Key: key,
    Flags: e.flags,
    Value: e.value === '' ? null : e.value,
  };
  if (e.session) out.Session = e.session;
  return out;
}

function sessionJson(s: Session): Record<string, unknown> {
  return {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: Math.round(s.lockDelayMs * 1e6),
    Behavior: s.behavior,
    TTL: s.ttl,
    Checks: s.checks,
    NodeChecks: s.checks,
    ServiceChecks: null,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

function authorize(req: IncomingMessage, q: URLSearchParams, options: DoubleOptions): void {
  if (!options.token) return;
  const given = (req.headers['x-consul-token'] as string | undefined) ?? q.get('token') ?? undefined;
  if (given === undefined) throw new ConsulError(403, 'Permission denied');
  if (given !== options.token) throw new ConsulError(403, 'ACL not found');
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ConsulError(400, `Invalid ${name} parameter: "${v}"`);
  return n;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  if (!text.trim()) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ConsulError(400, `Request decode failed: ${text.slice(0, 80)}`);
}

function indexHeaders(index: number): Record<string, string> {
  return { 'X-Consul-Index': String(index), 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '0' };
}

function send(res: ServerResponse, status: number, body: unknown, index?: number): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...(index !== undefined ? indexHeaders(index) : {}) });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string, index?: number): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...(index !== undefined ? indexHeaders(index) : {}) });
  res.end(text);
}
