/**
 * An adapter module whose `create` returns its raw adapter inside guardAdapter(): the
 * guard owns the closed flag, per-call deadlines, listener isolation and abandon(), so
 * the raw adapter only talks to its backend. Here the raw adapter is MemoryDcs; yours
 * talks to your server. The example in docs/writing-a-dcs-adapter.md, type-checked with
 * the package's tests.
 */
import { guardAdapter, MEMORY_CAPABILITIES, MemoryDcs, MemoryDcsServer, type DcsAdapterModule } from '@pgwarden/core';

export interface MySection {
  readonly hosts: readonly string[];
}

const server = new MemoryDcsServer();

export const dcsAdapter: DcsAdapterModule<MySection> = {
  section: 'mydcs',
  capabilities: MEMORY_CAPABILITIES,
  parseSection(raw) {
    const hosts = (raw as { hosts?: unknown } | null)?.hosts;
    if (!Array.isArray(hosts) || hosts.length === 0 || !hosts.every((h) => typeof h === 'string')) {
      return { ok: false, issues: [{ path: 'mydcs.hosts', value: hosts, reason: 'must be a non-empty list of host:port, e.g. [127.0.0.1:7000]' }] };
    }
    return { ok: true, value: { hosts } };
  },
  async create(options) {
    const raw = new MemoryDcs({ server, layout: options.layout, name: options.name, ttlSeconds: options.ttlSeconds });
    return guardAdapter(raw, { clock: options.clock, logger: options.logger, label: 'mydcs' });
  },
};
