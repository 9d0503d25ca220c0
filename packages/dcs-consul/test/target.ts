/**
 * The conformance target for the Consul adapter: the testkit's Consul double (a separate
 * process that can be stopped and frozen), or a real agent for test-real/.
 */
import { silentLogger, type KeyLayout } from '@pgwarden/core';
import type { ConformanceClient, ConformanceServer, ConformanceTarget, ConnectOptions } from '@pgwarden/core/testing';
import { ConsulDcs, dcsAdapter, parseConsulSection, type ConsulSection } from '../src/index.js';

export function consulSection(address: string, extra: Record<string, unknown> = {}): ConsulSection {
  const parsed = parseConsulSection({ url: address, ...extra });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.reason}`).join('; '));
  return parsed.value;
}

export function consulTarget(address: string, server: ConformanceServer, token?: string): ConformanceTarget {
  const headers: Record<string, string> = token ? { 'X-Consul-Token': token } : {};
  const kvUrl = (path: string): string => `${address}/v1/kv/${path.replace(/^\/+/, '')}`;
  return {
    leadingSlash: false,
    async connect(options: ConnectOptions): Promise<ConformanceClient> {
      const adapter = (await dcsAdapter.create({
        section: consulSection(address, token ? { token } : {}),
        layout: options.layout as KeyLayout,
        name: options.name,
        ttlSeconds: options.ttlSeconds,
        loopWaitSeconds: options.loopWaitSeconds,
        retryTimeoutSeconds: options.retryTimeoutSeconds,
        clock: options.clock,
        logger: silentLogger,
      })) as ConsulDcs;
      return { adapter, abandon: async () => adapter.abandon() };
    },
    async readRaw(path) {
      const res = await fetch(`${kvUrl(path)}?raw`, { headers });
      return res.status === 404 ? null : res.text();
    },
    async writeRaw(path, value) {
      await fetch(kvUrl(path), { method: 'PUT', body: value, headers });
    },
    server,
  };
}
