/**
 * Raw HTTP(S) requests for the security scenarios: any method (OPTIONS, unauthenticated
 * POST), optional basic auth and client certificates; plus editing a node's `restapi`
 * section before it starts, and reading a DCS key straight from etcd.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AgentNode } from './cluster.js';

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly body?: unknown;
  readonly auth?: { readonly username: string; readonly password: string };
  /** Present → HTTPS, trusting `ca`; `cert`/`key` are the client certificate. */
  readonly tls?: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  readonly timeoutMs?: number;
}

export function send(url: string, init: RawRequest = {}): Promise<RawReply> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string> = {};
  if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  if (init.auth) headers.authorization = `Basic ${Buffer.from(`${init.auth.username}:${init.auth.password}`).toString('base64')}`;
  const options = { method: init.method ?? 'GET', headers, timeout: init.timeoutMs ?? 5000 };
  return new Promise((resolve, reject) => {
    const onReply = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    };
    const req = init.tls
      ? httpsRequest(url, { ...options, ca: init.tls.ca, ...(init.tls.cert && { cert: init.tls.cert, key: init.tls.key }) }, onReply)
      : httpRequest(url, options, onReply);
    req.on('timeout', () => req.destroy(new Error(`${options.method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Adds lines (already indented by two spaces) under the node's `restapi:` before it starts. */
export function addToRestapi(node: AgentNode, lines: readonly string[]): void {
  const yaml = readFileSync(node.configPath, 'utf8');
  if (!yaml.includes('\nrestapi:\n')) throw new Error(`${node.configPath} has no restapi section`);
  writeFileSync(node.configPath, yaml.replace('\nrestapi:\n', `\nrestapi:\n${lines.join('\n')}\n`));
}

/** The value of a key read from etcd's v3 JSON gateway, or null when it does not exist. */
export async function etcdGet(hosts: readonly string[], key: string): Promise<string | null> {
  const res = await fetch(`http://${hosts[0]}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64') }),
    signal: AbortSignal.timeout(3000),
  });
  if (!res.ok) throw new Error(`etcd range ${key}: HTTP ${res.status}`);
  const doc = (await res.json()) as { kvs?: { value?: string }[] };
  const value = doc.kvs?.[0]?.value;
  return value === undefined ? null : Buffer.from(value, 'base64').toString();
}

/** The value of `key` and the id of the lease it is bound to ('0': none); null when absent. */
export async function etcdGetWithLease(hosts: readonly string[], key: string): Promise<{ value: string; lease: string } | null> {
  const res = await fetch(`http://${hosts[0]}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64') }),
    signal: AbortSignal.timeout(3000),
  });
  if (!res.ok) throw new Error(`etcd range ${key}: HTTP ${res.status}`);
  const kv = ((await res.json()) as { kvs?: { value?: string; lease?: string }[] }).kvs?.[0];
  return kv ? { value: Buffer.from(kv.value ?? '', 'base64').toString(), lease: kv.lease ?? '0' } : null;
}

/** Writes a key through etcd's v3 JSON gateway, as an operator with etcdctl would (no validation). */
export async function etcdPut(hosts: readonly string[], key: string, value: string): Promise<void> {
  const res = await fetch(`http://${hosts[0]}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') }),
    signal: AbortSignal.timeout(3000),
  });
  if (!res.ok) throw new Error(`etcd put ${key}: HTTP ${res.status}`);
}
