/**
 * `pgwarden --validate-config` and the start-up loader on values that used to throw
 * inside the validator (a parameter value `{toString: 1}` printed a raw stack trace):
 * every problem is one line naming the key and the fix, exit 1. Unit cases first, then
 * fast-check documents through the same paths.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatConfigIssue } from '@pgwarden/core';
import { runValidateConfig } from '../../src/cli/validate-command.js';
import { checkConfig, validateConfig } from '../../src/config/validate-config.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { loadStartConfig } from '../../src/daemon/config-load.js';
import { applyMutation, mutation, RESERVED_NAMES, type Mutation } from '@pgwarden/testkit';
import { adapters, tempDir, VALID_YAML, writeCustomAdapter } from './helpers.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 0) || undefined;

let dir = '';
let binDir = '';
let adapter = '';

/** A config valid in full mode (as in test/cli/validate-config.test.ts), with `extra` YAML appended. */
function fullConfig(extra = ''): string {
  return `
scope: batman
name: node1
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.0.0.11:8008
mydcs:
  module: ${adapter}
  servers: [10.0.0.1:1234]
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.11:5432
  data_dir: ${join(dir, 'pgdata')}
  bin_dir: ${binDir}
  authentication:
    superuser: {username: postgres, password: su-secret}
    replication: {username: replicator, password: rep-secret}
${extra}`;
}

beforeAll(() => {
  dir = tempDir();
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  for (const program of ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready', 'pg_rewind']) {
    writeFileSync(join(binDir, program), '#!/bin/sh\n');
    chmodSync(join(binDir, program), 0o755);
  }
  adapter = writeCustomAdapter(dir);
});

let fileCount = 0;
function writeConfig(text: string): string {
  const file = join(dir, `config-${fileCount++}.yml`);
  writeFileSync(file, text);
  return file;
}

async function validateFile(file: string): Promise<{ code: number; stdout: string; lines: string[] }> {
  let stdout = '';
  let stderr = '';
  const code = await runValidateConfig(file, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, lines: stderr.split('\n').filter((l) => l !== '') };
}

/** Top-level keys an issue line may start with. */
const FIRST_KEYS = /^(\(config\)|\(dcs\)|scope|name|namespace|restapi|ctl|postgresql|bootstrap|citus|watchdog|tags|log|mydcs|etcd3|custom)\b/;

/** One line per problem: a key first, then `: ` and the reason; never a stack frame. */
function expectIssueLines(lines: readonly string[]): void {
  for (const line of lines) {
    if (line.startsWith('warning: ')) continue;
    expect(line, line).toMatch(FIRST_KEYS);
    expect(line).toContain(': ');
    expect(line).not.toMatch(/^\s+at\s|Error:|TypeError/);
  }
}

describe('--validate-config on values that used to throw', () => {
  it.each([
    ['a bootstrap.dcs parameter {toString: 1}', 'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        hot_standby: {toString: 1}\n', 'bootstrap.dcs.postgresql.parameters.hot_standby = {"toString":1}: is not a setting value'],
    ['a bootstrap.dcs parameter named constructor', 'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        constructor: 1\n', 'bootstrap.dcs.postgresql.parameters.constructor: is a reserved name'],
    ['a local parameter {toString: 1}', '  parameters:\n    work_mem: {toString: 1}\n', 'postgresql.parameters.work_mem = {"toString":1}: is not a setting value'],
    ['a local parameter named __proto__', '  parameters:\n    __proto__: {x: 1}\n', 'postgresql.parameters.__proto__: is a reserved name'],
    ['a local parameter with a newline', '  parameters:\n    work_mem: "4MB\\nfsync = off"\n', 'postgresql.parameters.work_mem = "4MB\\nfsync = off": contains a line break'],
    ['a tag named constructor', 'tags:\n  constructor: x\n', 'tags.constructor: is a reserved name'],
    ['retry_timeout beyond a timer', 'bootstrap:\n  dcs:\n    retry_timeout: 2147484\n', 'bootstrap.dcs.retry_timeout = 2147484: must be at most 86400; retry_timeout is in seconds, allowed range 3..86400'],
    ['pg_ctl_timeout beyond a timer', '  pg_ctl_timeout: 3000000\n', 'postgresql.pg_ctl_timeout = 3000000: must be at most 2147483 and at least 0; pg_ctl_timeout is in seconds and becomes a timer'],
  ])('%s: one line naming the key and the fix, exit 1', async (_what, extra, expected) => {
    // Lines starting with two spaces continue the postgresql section.
    const file = writeConfig(fullConfig(extra));
    const { code, stdout, lines } = await validateFile(file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines.filter((l) => !l.startsWith('warning: '))).toHaveLength(1);
    expect(lines.find((l) => !l.startsWith('warning: '))).toContain(expected);
    expectIssueLines(lines);
  });

  it('the start-up loader says the same in one DaemonStartError, one line per issue', async () => {
    const file = writeConfig(fullConfig('bootstrap:\n  dcs:\n    ttl: 86401\n    postgresql:\n      parameters:\n        hot_standby: {toString: 1}\n'));
    const error = await loadStartConfig(file, {}).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.constructor.name).toBe('DaemonStartError');
    const lines = error!.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^bootstrap\.dcs\.ttl = 86401: must be at most 86400/);
    expect(lines[1]).toMatch(/^bootstrap\.dcs\.postgresql\.parameters\.hot_standby = \{"toString":1\}: is not a setting value/);
  });

  it('a section check that throws (a bug) becomes one issue naming the section', () => {
    const parseSection = (): never => {
      throw new TypeError('Cannot convert object to primitive value');
    };
    const throwing = new Map([['etcd3', { ...adapters.get('etcd3')!, parseSection }]]);
    const result = validateConfig(baseConfig(), { adapters: throwing });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map(formatConfigIssue)).toEqual([
      '(dcs): could not be checked (Cannot convert object to primitive value); this is a bug in pgwarden, please report it with this section of the config',
    ]);
  });

  it('the built CLI prints no stack trace (child process)', () => {
    const bin = fileURLToPath(new URL('../../bin/pgwarden.js', import.meta.url));
    const dist = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build the agent first (pnpm --filter @pgwarden/agent build)`);
    const file = writeConfig(fullConfig('bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        hot_standby: {toString: 1}\n'));
    const result = spawnSync(process.execPath, [bin, '--validate-config', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'bootstrap.dcs.postgresql.parameters.hot_standby = {"toString":1}: is not a setting value; write a string, a number or true/false (lists and mappings are not Postgres values)',
    ]);
  });
});

/** The etcd3 config of helpers.ts, parsed; mutations go into it as JSON, keys kept own. */
const baseConfig = (): Record<string, unknown> => parsePatroniYaml(VALID_YAML, 'test') as Record<string, unknown>;

/** A mutation placed in bootstrap.dcs, in the local postgresql section or in tags. */
const placedMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutation.map((m) => ({ ...m, path: ['bootstrap', 'dcs', ...m.path] })),
  fc.record({ name: fc.constantFrom('work_mem', 'shared_buffers', ...RESERVED_NAMES, 'a b'), json: fc.constantFrom('{"toString": 1}', '[1, {}]', '"x\\ny"', '1e400') }).map(
    ({ name, json }) => ({ path: ['postgresql', 'parameters', name], json, surelyBad: true }),
  ),
  fc.constantFrom(...RESERVED_NAMES).map((name) => ({ path: ['tags', name], json: '"x"', surelyBad: true })),
  fc.constantFrom('3000000', '-1', '"soon"').map((json) => ({ path: ['postgresql', 'pg_ctl_timeout'], json, surelyBad: true })),
  fc.record({ key: fc.constantFrom('bootstrap', 'postgresql', 'tags', 'custom', 'log'), json: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) }).map(({ key, json }) => ({
    path: [key],
    json,
    surelyBad: false,
  })),
);

describe('the config validator on generated documents (fast-check)', () => {
  it('never throws, reports each issue on one line naming a key, refuses surely-bad values (500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(placedMutation, async (m) => {
        const raw = JSON.parse(applyMutation(baseConfig(), m)) as unknown;
        const result = validateConfig(raw, { adapters, mode: 'start' });
        if (m.surelyBad) expect(result.ok, JSON.stringify(m)).toBe(false);
        if (!result.ok) expectIssueLines(result.issues.map((i) => formatConfigIssue(i).replace(/\s*\n\s*/g, ' ')));
        // The full check (what --validate-config runs) agrees and does not throw either.
        const full = await checkConfig(raw, { mode: 'full' });
        if (m.surelyBad) expect(full.ok).toBe(false);
      }),
      { numRuns: RUNS ?? 500 },
    );
  });

  it('--validate-config prints one line per issue and exits 0 or 1, for YAML files (150 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(placedMutation, async (m) => {
        // JSON is YAML: the file holds the mutated config as written.
        const raw = JSON.parse(applyMutation(parsePatroniYaml(fullConfig(), 'base') as Record<string, unknown>, m)) as unknown;
        const file = writeConfig(JSON.stringify(raw));
        const { code, stdout, lines } = await validateFile(file);
        expect([0, 1]).toContain(code);
        expect(stdout).toBe('');
        expectIssueLines(lines);
        const expected = await checkConfig(parsePatroniYaml(JSON.stringify(raw), 'again'), { mode: 'full' });
        expect(lines.filter((l) => !l.startsWith('warning: '))).toHaveLength(expected.ok ? 0 : expected.issues.length);
        expect(code).toBe(expected.ok ? 0 : 1);
      }),
      { numRuns: RUNS ?? 150 },
    );
  });
});
