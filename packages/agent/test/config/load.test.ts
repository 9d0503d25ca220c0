import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { tempDir, writeFiles } from './helpers.js';

describe('YAML as PyYAML reads it', () => {
  it('reads YAML 1.1 booleans but leaves y/n and dates as strings', () => {
    expect(parsePatroniYaml('a: yes\nb: off\nc: On\nd: y\ne: n\nf: 2024-01-01\ng: 0755\nh: 1:20', 't')).toEqual({
      a: true,
      b: false,
      c: true,
      d: 'y',
      e: 'n',
      f: '2024-01-01',
      g: 493,
      h: 80,
    });
  });

  it('lets the last duplicate key win and reports broken YAML with the source', () => {
    expect(parsePatroniYaml('a: 1\na: 2', 't')).toEqual({ a: 2 });
    expect(() => parsePatroniYaml('a: [1,', '/etc/patroni.yml')).toThrow(/\/etc\/patroni.yml is not valid YAML/);
  });
});

describe('loadConfig', () => {
  it('loads one file and patches the environment over it', () => {
    const dir = tempDir();
    const file = join(dir, 'patroni.yml');
    writeFileSync(file, 'name: a\nscope: s\nrestapi:\n  listen: 1.1.1.1:8008\n  connect_address: 1.1.1.1:8008\n');
    const loaded = loadConfig({ path: file, env: { PATRONI_NAME: 'b', PGWARDEN_RESTAPI_LISTEN: '0.0.0.0:9000' } });
    expect(loaded.raw).toEqual({ name: 'b', scope: 's', restapi: { listen: '0.0.0.0:9000', connect_address: '1.1.1.1:8008' } });
    expect(loaded.source).toEqual({ kind: 'path', path: file, files: [file] });
  });

  it('merges a directory of .yml/.yaml files in sorted order; null deletes', () => {
    const dir = tempDir();
    writeFiles(dir, {
      '10-base.yml': 'name: n\ntags:\n  a: 1\n  b: 2\n',
      '20-override.yaml': 'tags:\n  b: 3\n  a: null\n',
      '05-first.yml': 'name: first\nscope: s\n',
      'ignored.txt': 'name: nope\n',
      'empty.yml': '',
    });
    mkdirSync(join(dir, 'sub.yml'));
    const loaded = loadConfig({ path: dir, env: {} });
    expect(loaded.raw).toEqual({ name: 'n', scope: 's', tags: { b: 3 } });
    expect(loaded.source.kind === 'path' && loaded.source.files.map((f) => f.slice(dir.length + 1))).toEqual([
      '05-first.yml',
      '10-base.yml',
      '20-override.yaml',
      'empty.yml',
    ]);
  });

  it('refuses a file that is not a mapping', () => {
    const dir = tempDir();
    writeFiles(dir, { 'list.yml': '- a\n- b\n' });
    expect(() => loadConfig({ path: join(dir, 'list.yml'), env: {} })).toThrow(/must hold a YAML mapping/);
  });

  it('falls back to PATRONI_CONFIGURATION, then to the environment alone', () => {
    const fromVar = loadConfig({ path: '/nonexistent/patroni.yml', env: { PATRONI_CONFIGURATION: 'name: x\nscope: y\n' } });
    expect(fromVar).toMatchObject({ raw: { name: 'x', scope: 'y' }, source: { kind: 'configuration-variable' } });
    const fromEnv = loadConfig({ env: { PATRONI_NAME: 'z' } });
    expect(fromEnv).toMatchObject({ raw: { name: 'z' }, source: { kind: 'environment' } });
  });
});
