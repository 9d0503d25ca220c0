import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DcsAdapterModule } from '@pgwarden/core';

// The real etcd3 section parser of the etcd adapter package, from its source (its dist may
// not be built yet; a computed specifier keeps tsc from pulling another package's source in).
const etcdConfigSource = new URL('../../../dcs-etcd/src/config.ts', import.meta.url).href;
const { parseEtcd3Section } = (await import(etcdConfigSource)) as { parseEtcd3Section: DcsAdapterModule['parseSection'] };

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pgwarden-config-'));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

/** The etcd3 adapter module as the agent sees it, for validation (create is never called). */
export const etcd3Module: DcsAdapterModule = {
  section: 'etcd3',
  capabilities: { minTtlSeconds: 20, liveness: 'loop', nativeWatch: true, ttlNegotiated: false },
  parseSection: parseEtcd3Section,
  create: () => Promise.reject(new Error('validation only')),
};

export const adapters = new Map([['etcd3', etcd3Module]]);

/**
 * A third-party adapter package as a real ESM file, loaded with `module:`; its
 * parseSection requires `servers`, a non-empty list.
 */
export function writeCustomAdapter(dir: string, section = 'mydcs'): string {
  const file = join(dir, `${section}-adapter.mjs`);
  writeFileSync(
    file,
    `export const dcsAdapter = {
  section: ${JSON.stringify(section)},
  capabilities: { minTtlSeconds: 10, liveness: 'loop', nativeWatch: false, ttlNegotiated: false },
  parseSection(raw) {
    if (!raw || !Array.isArray(raw.servers) || raw.servers.length === 0)
      return { ok: false, issues: [{ path: ${JSON.stringify(section)} + '.servers', value: raw && raw.servers, reason: 'needs at least one server' }] };
    return { ok: true, value: { servers: raw.servers, secret: raw.password } };
  },
  async create() { throw new Error('not in tests'); },
};
`,
  );
  return file;
}

/** A config that passes the start-mode check. */
export const VALID_YAML = `
scope: batman
namespace: /service/
name: postgresql0
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.0.0.10:8008
  authentication:
    username: admin
    password: s3cret-api
etcd3:
  hosts: 10.0.0.1:2379,10.0.0.2:2379
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 200
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.10:5432
  data_dir: /var/lib/postgresql/15/main
  authentication:
    replication:
      username: replicator
      password: rep-pass
    superuser:
      username: postgres
      password: su-pass
  parameters:
    unix_socket_directories: /var/run/postgresql
tags:
  nofailover: no
  noloadbalance: false
  replicatefrom: postgresql1
  custom: value
`;
