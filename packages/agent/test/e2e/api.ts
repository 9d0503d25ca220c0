/** Small REST helpers for the end-to-end tests. */
import type { AgentNode } from './cluster.js';

export interface ApiReply {
  readonly status: number;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export async function api(node: AgentNode, path: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<ApiReply> {
  const res = await fetch(`${node.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    ...(init.body !== undefined && { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
  });
  const text = await res.text();
  return { status: res.status, text, json: <T>() => JSON.parse(text) as T };
}

/** `GET /patroni`, or null when the agent does not answer. */
export async function patroni(node: AgentNode): Promise<Record<string, unknown> | null> {
  try {
    const r = await api(node, '/patroni', { timeoutMs: 2000 });
    return r.status === 200 ? r.json() : null;
  } catch {
    return null;
  }
}
