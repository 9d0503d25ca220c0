import { describe, expect, it } from 'vitest';
import { configFromEnvironment } from '../../src/config/env.js';

describe('configFromEnvironment (PATRONI_* as Patroni reads them)', () => {
  it('reads the global, restapi, ctl, postgresql and log variables with their types', () => {
    const { config } = configFromEnvironment({
      PATRONI_NAME: 'pg1',
      PATRONI_SCOPE: 'batman',
      PATRONI_NAMESPACE: '/svc',
      PATRONI_RESTAPI_LISTEN: '0.0.0.0:8008',
      PATRONI_RESTAPI_CONNECT_ADDRESS: '10.0.0.1:8008',
      PATRONI_RESTAPI_USERNAME: 'admin',
      PATRONI_RESTAPI_PASSWORD: 'pw',
      PATRONI_RESTAPI_ALLOWLIST: '10.0.0.0/8,127.0.0.1',
      PATRONI_RESTAPI_ALLOWLIST_INCLUDE_MEMBERS: 'on',
      PATRONI_RESTAPI_REQUEST_QUEUE_SIZE: '10',
      PATRONI_RESTAPI_HTTP_EXTRA_HEADERS: 'X-Frame-Options: SAMEORIGIN, X-A: b',
      PATRONI_CTL_INSECURE: 'yes',
      PATRONI_POSTGRESQL_DATA_DIR: '/data',
      PATRONI_POSTGRESQL_BIN_PG_ISREADY: 'pg_isready15',
      PATRONI_LOG_FILE_NUM: '7',
      PATRONI_LOG_FORMAT: 'asctime,levelname,message',
      PATRONI_LOG_STATIC_FIELDS: 'app: pgwarden',
    });
    expect(config).toEqual({
      name: 'pg1',
      scope: 'batman',
      namespace: '/svc',
      restapi: {
        listen: '0.0.0.0:8008',
        connect_address: '10.0.0.1:8008',
        allowlist: ['10.0.0.0/8', '127.0.0.1'],
        allowlist_include_members: true,
        request_queue_size: 10,
        http_extra_headers: { 'X-Frame-Options': 'SAMEORIGIN', 'X-A': 'b' },
        authentication: { username: 'admin', password: 'pw' },
      },
      ctl: { insecure: true },
      postgresql: { data_dir: '/data', bin_name: { pg_isready: 'pg_isready15' } },
      log: { file_num: 7, format: ['asctime', 'levelname', 'message'], static_fields: { app: 'pgwarden' } },
    });
  });

  it('reads the users with their libpq settings', () => {
    const { config } = configFromEnvironment({
      PATRONI_SUPERUSER_USERNAME: 'postgres',
      PATRONI_SUPERUSER_PASSWORD: 'su',
      PATRONI_REPLICATION_USERNAME: 'rep',
      PATRONI_REPLICATION_SSLMODE: 'verify-ca',
      PATRONI_REWIND_USERNAME: 'rewinder',
    });
    expect(config.postgresql).toEqual({
      authentication: {
        replication: { username: 'rep', sslmode: 'verify-ca' },
        superuser: { username: 'postgres', password: 'su' },
        rewind: { username: 'rewinder' },
      },
    });
  });

  it('reads DCS sections generically: lists, dicts, bools, ints', () => {
    const { config } = configFromEnvironment({
      PATRONI_ETCD3_HOSTS: "'10.0.0.1:2379','10.0.0.2:2379'",
      PATRONI_ETCD3_PROTOCOL: 'https',
      PATRONI_ETCD3_USERNAME: 'root',
      PATRONI_ETCD3_PASSWORD: 'etcdpw',
      PATRONI_ZOOKEEPER_HOSTS: 'zk1:2181,zk2:2181',
      PATRONI_ZOOKEEPER_SET_ACLS: 'CN=pg: [READ, WRITE]',
      PATRONI_ZOOKEEPER_USE_SSL: 'true',
      PATRONI_CONSUL_HOST: '127.0.0.1:8500',
      PATRONI_CONSUL_PORT: '8501',
      PATRONI_CONSUL_TOKEN: 'tok',
      PATRONI_CONSUL_REGISTER_SERVICE: 'on',
      PATRONI_CONSUL_CHECKS: 'a,b',
      PATRONI_CITUS_GROUP: '0',
      PATRONI_CITUS_DATABASE: 'citus',
    });
    expect(config.etcd3).toEqual({ hosts: ['10.0.0.1:2379', '10.0.0.2:2379'], protocol: 'https', username: 'root', password: 'etcdpw' });
    expect(config.zookeeper).toEqual({ hosts: ['zk1:2181', 'zk2:2181'], set_acls: { 'CN=pg': ['READ', 'WRITE'] }, use_ssl: true });
    expect(config.consul).toEqual({ host: '127.0.0.1:8500', port: 8501, token: 'tok', register_service: true, checks: ['a', 'b'] });
    expect(config.citus).toEqual({ group: 0, database: 'citus' });
  });

  it('turns PATRONI_<user>_PASSWORD and _OPTIONS into bootstrap users', () => {
    const { config } = configFromEnvironment({ PATRONI_admin_PASSWORD: 'x', PATRONI_admin_OPTIONS: 'createrole,createdb' });
    expect(config.bootstrap).toEqual({ users: { admin: { password: 'x', options: ['createrole', 'createdb'] } } });
  });

  it('maps the legacy log names unless the new one is set', () => {
    expect(configFromEnvironment({ PATRONI_LOGLEVEL: 'DEBUG' }).config.log).toEqual({ level: 'DEBUG' });
    expect(configFromEnvironment({ PATRONI_LOGLEVEL: 'DEBUG', PATRONI_LOG_LEVEL: 'ERROR' }).config.log).toEqual({ level: 'ERROR' });
  });

  it('reads PGWARDEN_* too, and PGWARDEN_X wins over PATRONI_X', () => {
    const { config, consumed } = configFromEnvironment({
      PATRONI_NAME: 'from-patroni',
      PGWARDEN_NAME: 'from-pgwarden',
      PGWARDEN_SCOPE: 'only-pgwarden',
      PATRONI_RESTAPI_LISTEN: ':8008',
    });
    expect(config).toMatchObject({ name: 'from-pgwarden', scope: 'only-pgwarden', restapi: { listen: ':8008' } });
    expect(consumed).toEqual(expect.arrayContaining(['PATRONI_NAME', 'PGWARDEN_NAME', 'PGWARDEN_SCOPE', 'PATRONI_RESTAPI_LISTEN']));
  });

  it('keeps unreadable typed values as strings so validation can name them', () => {
    expect(configFromEnvironment({ PATRONI_CTL_INSECURE: 'maybe' }).config.ctl).toEqual({ insecure: 'maybe' });
  });

  it('ignores empty values and unrelated variables', () => {
    expect(configFromEnvironment({ PATRONI_NAME: '', HOME: '/root', PATRONICTL_CONFIG_FILE: '/x' }).config).toEqual({});
  });
});
