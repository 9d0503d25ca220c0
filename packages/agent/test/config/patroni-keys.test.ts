/**
 * The Patroni 4.1 key table (src/config/patroni-keys) against the code: a used key is
 * read by validation (or, for a variable, lands on the key it sets), a warned key gives
 * a warning naming it, a refused key an issue naming it (or its refused section).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DcsAdapterModule } from '@pgwarden/core';
import { configFromEnvironment } from '../../src/config/env.js';
import { patchConfig } from '../../src/config/patch.js';
import { DYNAMIC_KEYS, ENV_KEYS, LOCAL_KEYS, PATRONI_KEYS, type PatroniKey } from '../../src/config/patroni-keys/index.js';
import { validateConfig, type ConfigValidation } from '../../src/config/validate-config.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { loadCtlConfig } from '../../src/ctl/config.js';
import { etcd3Module, tempDir, VALID_YAML } from './helpers.js';

const source = (pkg: string): string => new URL(`../../../${pkg}/src/config.ts`, import.meta.url).href;
const { parseZooKeeperSection } = (await import(source('dcs-zookeeper'))) as { parseZooKeeperSection: DcsAdapterModule['parseSection'] };
const { parseConsulSection } = (await import(source('dcs-consul'))) as { parseConsulSection: DcsAdapterModule['parseSection'] };

const module = (section: string, parseSection: DcsAdapterModule['parseSection']): DcsAdapterModule => ({ ...etcd3Module, section, parseSection });
const adapters = new Map<string, DcsAdapterModule>([
  ['etcd3', etcd3Module],
  ['zookeeper', module('zookeeper', parseZooKeeperSection)],
  ['consul', module('consul', parseConsulSection)],
]);

const DCS_SECTIONS: Readonly<Record<string, unknown>> = {
  etcd3: { hosts: ['127.0.0.1:2379'] },
  zookeeper: { hosts: ['127.0.0.1:2181'] },
  consul: { host: '127.0.0.1:8500' },
};

/** A valid config whose DCS section is `dcs` (etcd3 unless the key belongs to another store). */
function baseConfig(dcs = 'etcd3'): Record<string, any> {
  const config = parsePatroniYaml(VALID_YAML, 'test') as Record<string, any>;
  for (const name of Object.keys(DCS_SECTIONS)) delete config[name];
  config[dcs] = structuredClone(DCS_SECTIONS[dcs]);
  return config;
}

const dcsOf = (path: string): string => {
  const head = path.split('.')[0] ?? '';
  return head in DCS_SECTIONS ? head : 'etcd3';
};

/** Sets a dotted path (a `*` segment becomes `s1`), creating mappings on the way. */
function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const segments = path.split('.').map((s) => (s === '*' ? 's1' : s));
  let at = target;
  for (const segment of segments.slice(0, -1)) {
    if (typeof at[segment] !== 'object' || at[segment] === null) at[segment] = {};
    at = at[segment];
  }
  at[segments.at(-1)!] = value;
}

function getPath(target: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), target);
}

/** Wraps `value` so that every own property read is recorded by its dotted path. */
function tracked(value: unknown, reads: Set<string>, path = ''): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return child;
      const at = path ? `${path}.${key}` : key;
      reads.add(at);
      return tracked(child, reads, at);
    },
  });
}

const matches = (pattern: string, path: string): boolean => {
  const a = pattern.split('.');
  const b = path.split('.');
  return a.length === b.length && a.every((s, i) => s === '*' || s === b[i]);
};

const warningsOf = (result: ConfigValidation): readonly string[] => result.warnings;
const issuePaths = (result: ConfigValidation): string[] => (result.ok ? [] : result.issues.map((i) => i.path));
const namesKeyOrSection = (issuePath: string, keyPath: string): boolean => keyPath === issuePath || keyPath.startsWith(`${issuePath}.`);

describe('the Patroni 4.1 key table', () => {
  it('lists each key once, with a reason for every key that is not used', () => {
    const seen = new Set<string>();
    for (const key of PATRONI_KEYS) {
      const id = `${key.section}:${key.path}`;
      expect(seen.has(id), id).toBe(false);
      seen.add(id);
      if (key.status !== 'used') expect((key.reason ?? '').length, id).toBeGreaterThan(20);
    }
    expect(ENV_KEYS.every((k) => k.sets !== undefined)).toBe(true);
  });

  it('docs/patroni-keys.md is generated from it (run `pnpm docs:keys` after changing the table)', async () => {
    const { renderPatroniKeysDoc } = await import('../../src/config/patroni-keys/index.js');
    const doc = readFileSync(new URL('../../../../docs/patroni-keys.md', import.meta.url), 'utf8');
    expect(doc, 'docs/patroni-keys.md is out of date: run pnpm docs:keys').toBe(renderPatroniKeysDoc());
  });
});

describe('used keys are read by the config code', () => {
  for (const dcs of Object.keys(DCS_SECTIONS)) {
    it(`every used patroni.yml key is read by validation (DCS section ${dcs})`, () => {
      const keys = LOCAL_KEYS.filter((k) => k.status === 'used' && (!(k.path.split('.')[0]! in DCS_SECTIONS) || dcsOf(k.path) === dcs));
      const config = baseConfig(dcs);
      for (const key of keys) if (getPath(config, key.path.replace(/\*/g, 's1')) === undefined) setPath(config, key.path, 'x');
      // A custom replica method's section is read when create_replica_methods names it.
      config.postgresql.create_replica_methods = ['basebackup', 's1'];
      const reads = new Set<string>();
      // etcd3 reads one of url, hosts, host (in that order): one run per alternative.
      const variants = [config, structuredClone(config), structuredClone(config)];
      delete variants[1]!.etcd3?.url;
      delete variants[2]!.etcd3?.url;
      delete variants[2]!.etcd3?.hosts;
      for (const variant of variants) validateConfig(tracked(variant, reads), { adapters, mode: 'start' });
      const unread = keys
        .map((k) => k.path)
        .filter((p) => ![...reads].some((r) => matches(p, r) || (p.includes('*') && matches(p.split('.').slice(0, -1).join('.'), r))));
      expect(unread).toEqual([]);
    });
  }

  it('every used dynamic key nested in a section is read by validation of bootstrap.dcs', () => {
    const config = baseConfig();
    const nested = DYNAMIC_KEYS.filter((k) => k.status === 'used' && k.path.includes('.'));
    const dcs: Record<string, any> = { slots: { s1: { type: 'logical', database: 'd', plugin: 'p' } }, ignore_slots: [{ name: 'n', type: 'logical', database: 'd', plugin: 'p' }] };
    for (const key of nested) if (!key.path.startsWith('slots.') && !key.path.startsWith('ignore_slots.')) setPath(dcs, key.path, 'x');
    config.bootstrap = { dcs };
    const reads = new Set<string>();
    validateConfig(tracked(config, reads), { adapters });
    const normalised = [...reads].map((r) => r.replace(/^bootstrap\.dcs\./, '').replace(/\.\d+\./, '.*.'));
    expect(nested.map((k) => k.path).filter((p) => !normalised.some((r) => matches(p, r)))).toEqual([]);
  });

  it('every used top-level dynamic key is type-checked (a wrong value is an issue naming it)', () => {
    for (const key of DYNAMIC_KEYS.filter((k) => k.status === 'used' && !k.path.includes('.'))) {
      const config = baseConfig();
      config.bootstrap = { dcs: { [key.path]: [[1]] } };
      const paths = issuePaths(validateConfig(config, { adapters }));
      expect(paths.some((p) => p.startsWith(`bootstrap.dcs.${key.path}`)), `${key.path}: ${paths.join(', ')}`).toBe(true);
    }
  });

  it('every used environment variable sets the key it is listed with', () => {
    for (const key of ENV_KEYS.filter((k) => k.status === 'used' && !k.sets!.startsWith('('))) {
      const { config } = configFromEnvironment({ [key.path]: 'on' });
      expect(getPath(config, key.sets!), key.path).toBeDefined();
    }
    expect(configFromEnvironment({ PATRONI_CONFIGURATION: 'scope: a' }).configuration).toBe('scope: a');
    expect(getPath(configFromEnvironment({ PGWARDEN_LOG_MODE: '0640' }).config, 'log.mode')).toBe('0640');
  });

  it('PATRONICTL_CONFIG_FILE names the file pgwardenctl reads', () => {
    const dir = tempDir();
    const file = join(dir, 'ctl.yml');
    writeFileSync(file, 'scope: from-ctl-file\n');
    expect(loadCtlConfig({ env: { PATRONICTL_CONFIG_FILE: file } }).scope).toBe('from-ctl-file');
  });
});

/** Values of the right type for warned keys (a wrong type would be an issue of its own). */
const SAMPLES: Readonly<Record<string, unknown>> = {
  traceback_level: 'DEBUG',
  max_queue_size: 1000,
  loggers: { 'patroni.postmaster': 'WARNING' },
  deduplicate_heartbeat_logs: true,
  use_proxies: true,
  verify: true,
  use_unix_socket: true,
  use_unix_socket_repl: true,
  server_tokens: 'Minimal',
};

describe('keys pgwarden does not honour are named at start', () => {
  const concrete = (path: string): string => path.replace(/\*/g, 's1');
  const withKey = (key: PatroniKey): Record<string, any> => {
    const config = baseConfig(dcsOf(key.path));
    if (key.section === 'dynamic') {
      config.bootstrap = { dcs: {} };
      if (key.path.startsWith('slots.')) config.bootstrap.dcs.slots = { s1: { type: 'physical' } };
      setPath(config.bootstrap.dcs, key.path, 'primary');
    } else {
      // A rewind user needs a username before any other setting of it is valid.
      if (key.path.startsWith('postgresql.authentication.rewind.')) config.postgresql.authentication.rewind = { username: 'rewinder' };
      setPath(config, key.path, SAMPLES[key.path.split('.').at(-1)!] ?? 'x');
    }
    return config;
  };
  const shownAs = (key: PatroniKey): string => (key.section === 'dynamic' ? `bootstrap.dcs.${concrete(key.path)}` : concrete(key.path));

  it('a warned key is accepted with one warning naming it', () => {
    for (const key of [...LOCAL_KEYS, ...DYNAMIC_KEYS].filter((k) => k.status === 'warned')) {
      const result = validateConfig(withKey(key), { adapters });
      expect(issuePaths(result), key.path).toEqual([]);
      expect(warningsOf(result).filter((w) => w.startsWith(`${shownAs(key)} has no effect in pgwarden`)), key.path).toHaveLength(1);
    }
  });

  it('a refused key fails validation with an issue naming it (or its refused section)', () => {
    for (const key of [...LOCAL_KEYS, ...DYNAMIC_KEYS].filter((k) => k.status === 'refused')) {
      const paths = issuePaths(validateConfig(withKey(key), { adapters }));
      expect(paths.some((p) => namesKeyOrSection(p, shownAs(key))), `${key.path}: ${paths.join(', ')}`).toBe(true);
    }
  });

  it('a warned or refused environment variable is reported under the key it sets', () => {
    for (const key of ENV_KEYS.filter((k) => k.status !== 'used')) {
      const config = patchConfig(baseConfig(dcsOf(key.sets!)), configFromEnvironment({ [key.path]: 'x' }).config);
      const result = validateConfig(config, { adapters });
      if (key.status === 'warned') expect(warningsOf(result).some((w) => w.startsWith(`${key.sets} has no effect`)), key.path).toBe(true);
      else expect(issuePaths(result).some((p) => namesKeyOrSection(p, key.sets!)), key.path).toBe(true);
    }
  });
});
