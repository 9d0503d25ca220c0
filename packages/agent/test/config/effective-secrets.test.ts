import { describe, expect, it } from 'vitest';
import { computeEffectiveConfig } from '../../src/config/effective.js';
import { configFromEnvironment } from '../../src/config/env.js';
import { maskSecrets, scrubEnvironment } from '../../src/config/secrets.js';

describe('computeEffectiveConfig: defaults ← dynamic ← local, with Patroni exceptions', () => {
  const local = {
    name: 'pg1',
    scope: 'batman',
    ttl: 99,
    loop_wait: 1,
    standby_cluster: { host: 'local-only' },
    restapi: { listen: ':8008', authentication: { username: 'u', password: 'p' } },
    watchdog: { mode: 'off' },
    postgresql: {
      data_dir: '/data',
      use_slots: false,
      use_pg_rewind: false,
      parameters: { max_connections: 500, work_mem: '64MB', shared_buffers: '1GB' },
    },
  };
  const dynamic = {
    ttl: 40,
    loop_wait: 5,
    retry_timeout: 10,
    maximum_lag_on_failover: 0,
    standby_cluster: { host: 'upstream', port: 5433 },
    postgresql: {
      use_slots: false,
      use_pg_rewind: true,
      data_dir: '/dynamic-must-not-win',
      parameters: { max_connections: 300, work_mem: '4MB', wal_level: 'logical' },
    },
  };

  it('keeps timing, standby_cluster and use_slots dynamic; lets other local keys win', () => {
    const { document } = computeEffectiveConfig(local, dynamic);
    expect(document).toMatchObject({ ttl: 40, loop_wait: 5, retry_timeout: 10, name: 'pg1', scope: 'batman', watchdog: { mode: 'off' } });
    expect(document.standby_cluster).toMatchObject({ host: 'upstream', port: 5433, restore_command: '' });
    const pg = document.postgresql as Record<string, unknown>;
    expect(pg).toMatchObject({ use_slots: false, use_pg_rewind: false, data_dir: '/data', name: 'pg1', scope: 'batman', retry_timeout: 10 });
  });

  it('takes command-line-only parameters from the dynamic config, other local parameters win', () => {
    const pg = computeEffectiveConfig(local, dynamic).document.postgresql as Record<string, Record<string, unknown>>;
    expect(pg.parameters).toEqual({
      wal_level: 'logical',
      hot_standby: 'on',
      max_connections: 300,
      max_wal_senders: 10,
      max_prepared_transactions: 0,
      max_locks_per_transaction: 64,
      track_commit_timestamp: 'off',
      max_replication_slots: 10,
      max_worker_processes: 8,
      wal_log_hints: 'on',
      work_mem: '64MB',
      shared_buffers: '1GB',
    });
  });

  it('starts from the defaults when there is no dynamic config, and builds restapi.auth', () => {
    const { document, dynamic: validation } = computeEffectiveConfig(local, null);
    expect(document).toMatchObject({ ttl: 30, loop_wait: 10, retry_timeout: 10, restapi: { auth: 'u:p' } });
    expect((document.postgresql as Record<string, unknown>).use_slots).toBe(true);
    expect(validation.config.maximumLagOnFailover).toBe(1048576);
  });

  it('exposes the other dynamic keys through core DynamicSettings', () => {
    expect(computeEffectiveConfig(local, dynamic).dynamic.config.maximumLagOnFailover).toBe(0);
  });
});

describe('maskSecrets', () => {
  it('masks every secret value in a config tree, wherever it is', () => {
    const masked = maskSecrets({
      restapi: { authentication: { username: 'admin', password: 'p1' }, keyfile_password: 'p2', auth: 'admin:p1' },
      postgresql: { authentication: { superuser: { username: 'postgres', password: 'p3', sslpassword: 'p4' } } },
      consul: { token: 't1' },
      zookeeper: { auth_data: { digest: 'user:pw' }, key_password: 'p5' },
      etcd3: { url: 'https://root:p6@etcd:2379' },
      standby_cluster: { primary_conninfo: 'host=x password=p7 user=y' },
      bootstrap: { users: { admin: { password: 'p8', options: ['createdb'] } } },
      list: [{ password: 'p9' }],
      emptyIsKept: { password: '' },
    });
    const text = JSON.stringify(masked);
    for (const secret of ['p1', 'p2', 'p3', 'p4', 't1', 'user:pw', 'p5', 'p6', 'p7', 'p8', 'p9']) expect(text).not.toContain(secret);
    expect(masked.restapi.authentication).toEqual({ username: 'admin', password: '******' });
    expect(masked.etcd3.url).toBe('https://root:******@etcd:2379');
    expect(masked.standby_cluster.primary_conninfo).toBe('host=x password=****** user=y');
    expect(masked.bootstrap.users.admin.options).toEqual(['createdb']);
  });
});

describe('scrubEnvironment', () => {
  it('removes PATRONI_ and PGWARDEN_ secrets and keeps the rest', () => {
    const env = {
      PATH: '/usr/bin',
      PGDATA: '/data',
      PATRONI_SUPERUSER_PASSWORD: 'x',
      PGWARDEN_RESTAPI_PASSWORD: 'x',
      PATRONI_CONSUL_TOKEN: 'x',
      PATRONI_ZOOKEEPER_AUTH_DATA: 'x',
      PATRONI_CONFIGURATION: 'x',
      PATRONI_ETCD3_URL: 'http://u:secret@h:2379',
      PATRONI_NAME: 'pg1',
      PGPASSWORD: 'libpq-own',
    };
    expect(scrubEnvironment(env)).toEqual({ PATH: '/usr/bin', PGDATA: '/data', PATRONI_NAME: 'pg1', PGPASSWORD: 'libpq-own' });
  });

  it('also removes every variable the loader consumed, as Patroni pops what it reads', () => {
    const env = { PATRONI_NAME: 'pg1', PGWARDEN_SCOPE: 's', HOME: '/home/pg' };
    const { consumed } = configFromEnvironment(env);
    expect(scrubEnvironment(env, consumed)).toEqual({ HOME: '/home/pg' });
  });
});
