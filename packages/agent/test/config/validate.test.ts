import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from '@pgwarden/core';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { checkConfig, validateConfig, type ConfigValidation } from '../../src/config/validate-config.js';
import { adapters, tempDir, VALID_YAML, writeCustomAdapter } from './helpers.js';

const base = (): Record<string, unknown> => parsePatroniYaml(VALID_YAML, 'test') as Record<string, unknown>;

function issuesOf(result: ConfigValidation): ConfigIssue[] {
  if (result.ok) throw new Error('expected issues, got a valid config');
  return [...result.issues];
}

function withChange(change: (c: Record<string, any>) => void): Record<string, unknown> {
  const config = structuredClone(base()) as Record<string, any>;
  change(config);
  return config;
}

describe('validateConfig: a valid config', () => {
  it('returns the typed local config with defaults filled in', () => {
    const result = validateConfig(base(), { adapters });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { config } = result;
    expect(config).toMatchObject({ name: 'postgresql0', scope: 'batman', namespace: '/service/' });
    expect(config.restapi).toMatchObject({
      listen: { host: '0.0.0.0', port: 8008 },
      connectAddress: { host: '10.0.0.10', port: 8008 },
      verifyClient: 'none',
      requestQueueSize: 5,
    });
    expect(config.postgresql).toMatchObject({
      listen: { hosts: ['0.0.0.0'], port: 5432 },
      dataDir: '/var/lib/postgresql/15/main',
      configDir: '/var/lib/postgresql/15/main',
      pgCtlTimeout: 60,
      createReplicaMethods: ['basebackup'],
      authentication: { superuser: { username: 'postgres', password: 'su-pass' }, replication: { username: 'replicator' } },
    });
    expect(config.dcs).toEqual({
      name: 'etcd3',
      module: '@pgwarden/dcs-etcd',
      settings: { hosts: ['10.0.0.1:2379', '10.0.0.2:2379'], protocol: 'http' },
    });
    expect(config.tags).toMatchObject({ nofailover: false, noloadbalance: false, replicatefrom: 'postgresql1', raw: { custom: 'value' } });
    expect(config.watchdog).toEqual({ mode: 'automatic', device: '/dev/watchdog', safetyMargin: 5, driver: 'default' });
    expect(config.log).toMatchObject({ type: 'plain', level: 'INFO', fileNum: 4, fileSize: 25000000, format: '%(asctime)s %(levelname)s: %(message)s' });
    expect(config.bootstrap.dcs).toMatchObject({ usePgRewind: true, parameters: { max_connections: 200 } });
    expect(config.bootstrap.method).toBe('initdb');
  });

  it('accepts watchdog mode off written as YAML 1.1 false', () => {
    const result = validateConfig(parsePatroniYaml(`${VALID_YAML}\nwatchdog:\n  mode: off\n`, 't'), { adapters });
    expect(result.ok && result.config.watchdog.mode).toBe('off');
  });
});

describe('validateConfig: issues name the key, the value and the fix', () => {
  it('reports an empty config as Patroni does', () => {
    expect(issuesOf(validateConfig({}))).toEqual([{ path: '(config)', reason: 'Config is empty.' }]);
  });

  it('reports every missing required key', () => {
    const config = withChange((c) => {
      delete c.name;
      delete c.scope;
      delete c.restapi.connect_address;
      delete c.postgresql.listen;
      delete c.postgresql.connect_address;
      delete c.postgresql.data_dir;
      delete c.postgresql.authentication.replication;
    });
    const paths = issuesOf(validateConfig(config, { adapters })).map((i) => i.path);
    expect(paths).toEqual([
      'name',
      'scope',
      'restapi.connect_address',
      'postgresql.listen',
      'postgresql.connect_address',
      'postgresql.data_dir',
      'postgresql.authentication.replication',
    ]);
  });

  it('checks types, enums and host:port formats', () => {
    const config = withChange((c) => {
      c.restapi.listen = '0.0.0.0';
      c.restapi.verify_client = 'sometimes';
      c.restapi.request_queue_size = 5000;
      c.postgresql.listen = '*,10.0.0.1:5432';
      c.postgresql.connect_address = '10.0.0.10:99999';
      c.postgresql.pg_ctl_timeout = 'sixty';
      c.log = { type: 'xml', level: 'info', file_num: '4', format: [] };
      c.watchdog = { mode: 'sometimes', safety_margin: -2 };
      c.tags = { nosync: 'yes please', failover_priority: -1, replicatefrom: 7 };
    });
    const issues = issuesOf(validateConfig(config, { adapters }));
    expect(issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([
      'restapi.listen: expected <HOST>:<PORT>, e.g. 0.0.0.0:8008',
      'restapi.verify_client: must be one of none, optional, required',
      'restapi.request_queue_size: must be at most 4096 and at least 0',
      "postgresql.listen: expecting '*' alone; listen on every address with *:<PORT> or list the hosts",
      'postgresql.connect_address: the port must be a number between 1 and 65535, e.g. 10.0.0.1:5432',
      'postgresql.pg_ctl_timeout: is not an integer; write a whole number without quotes or units',
      'watchdog.mode: must be one of off, automatic, required',
      'watchdog.safety_margin: must be at least -1',
      'tags.failover_priority: must be at least 0',
      'tags.replicatefrom: is not a string; quote it if YAML reads it as a number or boolean',
      'tags.nosync: is not a boolean; use true or false',
      'log.type: must be one of plain, json',
      'log.level: must be one of DEBUG, INFO, WARN, WARNING, ERROR, FATAL, CRITICAL',
      'log.format: should contain at least one item',
      'log.file_num: is not an integer; write a whole number without quotes or units',
    ]);
    expect(issues[0]).toMatchObject({ value: '0.0.0.0' });
  });

  it('validates bootstrap.dcs with the dynamic schema', () => {
    const config = withChange((c) => {
      c.bootstrap.dcs.synchronous_mode = 'perhaps';
      c.bootstrap.dcs.postgresql.parameters.max_connections = 10;
    });
    expect(issuesOf(validateConfig(config, { adapters })).map((i) => i.path)).toEqual([
      'bootstrap.dcs.postgresql.parameters.max_connections',
      'bootstrap.dcs.synchronous_mode',
    ]);
  });

  it('hands the DCS section to the adapter, whose issues keep their paths', () => {
    const config = withChange((c) => {
      c.etcd3 = { hosts: ['10.0.0.1:2379', 'http://10.0.0.2:2379'] };
    });
    expect(issuesOf(validateConfig(config, { adapters }))).toEqual([
      { path: 'etcd3.hosts[1]', value: 'http://10.0.0.2:2379', reason: expect.stringMatching(/without a scheme/) },
    ]);
  });

  it('requires exactly one DCS section and refuses etcd v2 with a pointer to etcd3', () => {
    const none = withChange((c) => delete c.etcd3);
    expect(issuesOf(validateConfig(none, { adapters }))).toEqual([{ path: '(dcs)', reason: expect.stringMatching(/add exactly one of etcd3, zookeeper, consul/) }]);
    const v2 = withChange((c) => {
      delete c.etcd3;
      c.etcd = { host: '10.0.0.1:2379' };
    });
    expect(issuesOf(validateConfig(v2, { adapters }))).toEqual([{ path: 'etcd', reason: expect.stringMatching(/etcd v2 API is not supported; rename the section to etcd3/) }]);
    const two = withChange((c) => {
      c.zookeeper = { hosts: ['zk:2181'] };
    });
    expect(issuesOf(validateConfig(two, { adapters }))).toEqual([{ path: 'zookeeper', reason: expect.stringMatching(/second DCS section \(found etcd3, zookeeper\)/) }]);
  });

  it('refuses nofailover with failover_priority in full mode, warns at start', () => {
    const config = withChange((c) => {
      c.tags = { nofailover: true, failover_priority: 2 };
    });
    const start = validateConfig(config, { adapters });
    expect(start.ok).toBe(true);
    expect(start.warnings).toContain('Conflicting configuration between nofailover: True and failover_priority: 2. Defaulting to nofailover: True');
    expect(issuesOf(validateConfig(config, { adapters, mode: 'full' })).find((i) => i.path === 'tags')?.reason).toMatch(/Multiple of \('nofailover', 'failover_priority'\) provided/);
  });

  it('refuses loopback connect addresses in full mode only', () => {
    const config = withChange((c) => {
      c.restapi.connect_address = '127.0.0.1:8008';
      c.postgresql.connect_address = 'localhost:5432';
    });
    expect(validateConfig(config, { adapters }).ok).toBe(true);
    const full = issuesOf(validateConfig(config, { adapters, mode: 'full' })).map((i) => i.path);
    expect(full).toEqual(expect.arrayContaining(['restapi.connect_address', 'postgresql.connect_address']));
  });

  it('checks the data directory on disk in full mode', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'some-file'), 'x');
    const notCluster = withChange((c) => {
      c.postgresql.data_dir = dir;
    });
    const issues = issuesOf(validateConfig(notCluster, { adapters, mode: 'full' }));
    expect(issues.find((i) => i.path === 'postgresql.data_dir')?.reason).toMatch(/doesn't look like a valid data directory/);
    writeFileSync(join(dir, 'PG_VERSION'), '15\n');
    const noWal = issuesOf(validateConfig(notCluster, { adapters, mode: 'full' }));
    expect(noWal.find((i) => i.path === 'postgresql.data_dir')?.reason).toMatch(/doesn't contain "pg_wal"/);
    mkdirSync(join(dir, 'pg_wal'));
    const bin = withChange((c) => {
      c.postgresql.data_dir = dir;
      c.postgresql.bin_dir = dir;
    });
    const binIssues = issuesOf(validateConfig(bin, { adapters, mode: 'full' }));
    expect(binIssues.map((i) => i.path)).toEqual(Array(6).fill('postgresql.bin_dir'));
    expect(binIssues[0]?.reason).toMatch(/does not contain 'pg_ctl' in/);
  });
});

describe('validateConfig: secrets never appear in issues', () => {
  it('masks passwords, tokens and credentials in URLs', () => {
    const config = withChange((c) => {
      c.restapi.authentication.password = ['not', 'a', 'string'];
      c.postgresql.authentication.superuser.password = { nested: 'secret' };
      c.ctl = { keyfile_password: 12345 };
      c.etcd3 = { url: 'ftp://user:hunter2@10.0.0.1:2379' };
    });
    const issues = issuesOf(validateConfig(config, { adapters }));
    const text = JSON.stringify(issues);
    for (const secret of ['hunter2', 'secret', '12345', '"not"']) expect(text).not.toContain(secret);
    expect(issues.find((i) => i.path === 'restapi.authentication.password')?.value).toBe('******');
    expect(issues.find((i) => i.path === 'etcd3.url')?.value).toBe('ftp://user:******@10.0.0.1:2379');
  });
});

describe('checkConfig: DCS adapters by section name or module:', () => {
  it('loads a third-party adapter from module: and hands it the section without module', async () => {
    const dir = tempDir();
    const file = writeCustomAdapter(dir);
    const good = withChange((c) => {
      delete c.etcd3;
      c.mydcs = { module: file, servers: ['a:1'], password: 'pw' };
    });
    const result = await checkConfig(good);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.dcs).toEqual({ name: 'mydcs', module: file, settings: { servers: ['a:1'], secret: 'pw' } });

    const bad = withChange((c) => {
      delete c.etcd3;
      c.mydcs = { module: file, servers: [] };
    });
    expect(issuesOf(await checkConfig(bad))).toEqual([{ path: 'mydcs.servers', value: [], reason: 'needs at least one server' }]);
  });

  it('refuses an adapter whose section name differs, and a module that is not an adapter', async () => {
    const dir = tempDir();
    const file = writeCustomAdapter(dir, 'otherdcs');
    const renamed = withChange((c) => {
      delete c.etcd3;
      c.mydcs = { module: file, servers: ['a:1'] };
    });
    expect(issuesOf(await checkConfig(renamed))[0]?.reason).toMatch(/serves the section 'otherdcs'; rename the section to otherdcs/);

    const notAdapter = join(dir, 'plain.mjs');
    writeFileSync(notAdapter, 'export const x = 1;\n');
    const wrong = withChange((c) => {
      delete c.etcd3;
      c.mydcs = { module: notAdapter };
    });
    expect(issuesOf(await checkConfig(wrong))).toEqual([{ path: 'mydcs', value: notAdapter, reason: expect.stringMatching(/no export named 'dcsAdapter'/) }]);
  });

  it('reports a package that cannot be imported as an issue', async () => {
    const config = withChange((c) => {
      delete c.etcd3;
      c.mydcs = { module: 'pgwarden-no-such-adapter-package' };
    });
    expect(issuesOf(await checkConfig(config))).toEqual([
      { path: 'mydcs.module', value: 'pgwarden-no-such-adapter-package', reason: expect.stringMatching(/cannot load the DCS adapter package/) },
    ]);
  });
});
