/**
 * The dynamic-config checks that keep a stored `/config` from breaking the agents: a
 * parameter that is not a scalar (`{"toString": 1}` made every HA loop throw "Cannot
 * convert object to primitive value"), key names inherited from Object.prototype,
 * values with a line break, timing values that overflow Node's timers.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../../src/errors.js';
import { MemoryLogger } from '../../src/logger.js';
import { checkDynamicParameters } from '../../src/config/dynamic-parameters.js';
import { ConfigChecker } from '../../src/config/checker.js';
import { TIMER_LIMIT_SECONDS } from '../../src/config/dynamic-limits.js';
import { validateDynamicConfig } from '../../src/config/dynamic-schema.js';
import { DynamicConfigTracker } from '../../src/config/dynamic-tracker.js';
import { cmdlineOption } from '../../src/config/pg-cmdline-options.js';
import { parsePatroniInt } from '../../src/config/patroni-values.js';

/** As the DCS codec and the REST API read documents: JSON.parse makes `__proto__` an own key. */
const json = (text: string): unknown => JSON.parse(text);
const issuesOf = (doc: unknown): string[] => validateDynamicConfig(doc).issues.map(formatConfigIssue);
const paths = (doc: unknown): string[] => validateDynamicConfig(doc).issues.map((i) => i.path);

describe('postgresql.parameters values', () => {
  it.each([
    ['an object with toString', '{"hot_standby": {"toString": 1}}', 'postgresql.parameters.hot_standby'],
    ['an object', '{"work_mem": {"a": 1}}', 'postgresql.parameters.work_mem'],
    ['a list', '{"shared_preload_libraries": ["a", "b"]}', 'postgresql.parameters.shared_preload_libraries'],
    ['a command-line option given an object', '{"max_connections": {"valueOf": 7}}', 'postgresql.parameters.max_connections'],
  ])('refuses %s without throwing', (_what, params, path) => {
    const doc = json(`{"postgresql": {"parameters": ${params}}}`);
    const { issues, config } = validateDynamicConfig(doc);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.reason).toMatch(/not a setting value; write a string, a number or true\/false/);
    // Whatever is kept can be turned into text, as writing postgresql.conf does.
    for (const value of Object.values(config.parameters)) expect(() => String(value)).not.toThrow();
  });

  it('keeps strings, finite numbers and booleans', () => {
    const { issues, config } = validateDynamicConfig({ postgresql: { parameters: { work_mem: '8MB', random_page_cost: 1.1, jit: false } } });
    expect(issues).toEqual([]);
    expect(config.parameters).toEqual({ work_mem: '8MB', random_page_cost: 1.1, jit: false });
  });

  it('refuses a number too large to be finite (1e400 in JSON reads as Infinity)', () => {
    expect(paths(json('{"postgresql": {"parameters": {"work_mem": 1e400}}}'))).toEqual(['postgresql.parameters.work_mem']);
  });

  it.each([
    ['a newline', 'a\nlisten_addresses = *'],
    ['a carriage return', 'a\rb'],
    ['a NUL', 'a\u0000b'],
  ])('refuses a value with %s (it would be written as two lines of postgresql.conf)', (_what, value) => {
    const { issues, config } = validateDynamicConfig({ postgresql: { parameters: { application_name: value } } });
    expect(issues).toEqual([{ path: 'postgresql.parameters.application_name', value, reason: expect.stringMatching(/line break or NUL.*one line/) }]);
    expect(config.parameters).toEqual({});
  });

  it('drops a null value with an adjustment: null means "not set", as PATCH null deletes the key', () => {
    const { issues, adjustments, config } = validateDynamicConfig({ postgresql: { parameters: { work_mem: null, max_connections: null, wal_level: 'replica' } } });
    expect(issues).toEqual([]);
    expect(config.parameters).toEqual({ wal_level: 'replica' });
    expect(adjustments).toEqual([
      'postgresql.parameters.work_mem is null and is ignored (not written to postgresql.conf); remove the key to keep /config tidy',
      'postgresql.parameters.max_connections is null and is ignored (not written to postgresql.conf); remove the key to keep /config tidy',
    ]);
  });
});

describe('parameter and key names', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'CONSTRUCTOR', '__defineGetter__'])(
    'refuses the parameter name %s without throwing',
    (name) => {
      const doc = json(`{"postgresql": {"parameters": {${JSON.stringify(name)}: 1, "work_mem": "4MB"}}}`);
      const { issues, config } = validateDynamicConfig(doc);
      expect(issues).toEqual([{ path: `postgresql.parameters.${name}`, reason: expect.stringMatching(/reserved name.*rename or remove it/) }]);
      expect(Object.getPrototypeOf(config.parameters)).toBe(Object.prototype);
      expect(Object.keys(config.parameters)).toEqual(['work_mem']);
    },
  );

  it('finds no command-line option under an inherited name', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(cmdlineOption(name)).toBeUndefined();
    expect(cmdlineOption('Max_Connections')?.default).toBe(100);
  });

  it('refuses names that are not Postgres setting names, and takes extension settings', () => {
    const doc = { postgresql: { parameters: { 'work mem': '1MB', 'a=b': 1, '1abc': 1, 'a.b.c': 1, 'pg_stat_statements.max': 10000, '': 1 } } };
    const { issues, config } = validateDynamicConfig(doc);
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['postgresql.parameters.', 'postgresql.parameters.1abc', 'postgresql.parameters.a.b.c', 'postgresql.parameters.a=b', 'postgresql.parameters.work mem'].sort(),
    );
    expect(issues[0]?.reason).toMatch(/not a Postgres setting name; use letters, digits and _/);
    expect(config.parameters).toEqual({ 'pg_stat_statements.max': 10000 });
  });

  it('refuses an inherited name anywhere in the document, once per key', () => {
    const doc = json('{"__proto__": {"pause": true}, "tags": {"constructor": 1}, "ignore_slots": [{"toString": "x", "name": "a"}], "slots": {"constructor": null}}');
    const { issues, config } = validateDynamicConfig(doc);
    expect(issues.map((i) => i.path).sort()).toEqual(['__proto__', 'ignore_slots[0].toString', 'slots.constructor', 'tags.constructor']);
    // The own `__proto__` key did not become the prototype of anything that is read.
    expect(config.pause).toBe(false);
  });

  it('refuses the slot names __proto__ and constructor (they pass the slot-name pattern)', () => {
    const { issues, config } = validateDynamicConfig(json('{"slots": {"__proto__": {"type": "physical"}, "keep": null}}'));
    expect(issues.map((i) => i.path)).toEqual(['slots.__proto__']);
    expect(config.permanentSlots.map((s) => s.name)).toEqual(['keep']);
  });

  it('checks recovery_conf like parameters', () => {
    const doc = json('{"postgresql": {"recovery_conf": {"restore_command": "cp %f %p\\nx", "constructor": 1, "recovery_target_timeline": "latest", "o": {}}}}');
    const { issues, config } = validateDynamicConfig(doc);
    expect(issues.map((i) => i.path).sort()).toEqual(['postgresql.recovery_conf.constructor', 'postgresql.recovery_conf.o', 'postgresql.recovery_conf.restore_command']);
    expect(config.recoveryConf).toEqual({ recovery_target_timeline: 'latest' });
  });

  it('keeps pg_hba entries and standby_cluster strings on one line', () => {
    const doc = {
      postgresql: { pg_hba: ['host all all 0/0 md5\nhost all all ::/0 trust'], pg_ident: ['m a\rb'] },
      standby_cluster: { host: 'h\nx', restore_command: 'cp\u0000', primary_slot_name: 's', create_replica_methods: ['basebackup\n'] },
    };
    expect(paths(doc).sort()).toEqual(
      ['postgresql.pg_hba[0]', 'postgresql.pg_ident[0]', 'standby_cluster.create_replica_methods[0]', 'standby_cluster.host', 'standby_cluster.restore_command'].sort(),
    );
  });

  it('refuses an absurdly deep document instead of recursing into it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const { issues } = validateDynamicConfig({ custom: deep });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.reason).toMatch(/nested deeper than 32 levels/);
  });
});

describe('timing and other seconds', () => {
  it.each([
    ['ttl', 86_401],
    ['loop_wait', 2_147_484],
    ['retry_timeout', 2_147_484],
    ['retry_timeout', '99999999'],
  ])('refuses %s = %s, naming the key, the range and the fix', (key, value) => {
    const { issues, config } = validateDynamicConfig({ [key]: value });
    expect(issues).toHaveLength(1);
    const line = formatConfigIssue(issues[0]!);
    expect(line).toContain(`${key} = ${JSON.stringify(value)}: must be at most 86400`);
    expect(line).toMatch(/allowed range \d+\.\.86400/);
    expect(line).toMatch(new RegExp(`write e\\.g\\. ${key}: \\d+`));
    // The setting falls back to its default, and every timer the engine arms stays in range.
    expect(config.timing.retryTimeout * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(config.timing.loopWait * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('accepts one day exactly', () => {
    const { issues, config } = validateDynamicConfig({ ttl: 86_400, loop_wait: 10, retry_timeout: 10 });
    expect(issues).toEqual([]);
    expect(config.timing.ttl).toBe(86_400);
  });

  it('bounds primary_start_timeout and primary_stop_timeout (legacy names too) by the timer limit', () => {
    expect(TIMER_LIMIT_SECONDS).toBe(2_147_483);
    expect(TIMER_LIMIT_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(paths({ primary_start_timeout: TIMER_LIMIT_SECONDS, primary_stop_timeout: TIMER_LIMIT_SECONDS })).toEqual([]);
    expect(paths({ master_start_timeout: TIMER_LIMIT_SECONDS + 1, master_stop_timeout: 1e12 })).toEqual(['master_start_timeout', 'master_stop_timeout']);
    expect(paths({ master_start_timeout: 1, primary_start_timeout: -1 })).toEqual(['primary_start_timeout']);
    expect(issuesOf({ primary_start_timeout: -1 })[0]).toMatch(/must be at least 0 and at most 2147483; primary_start_timeout is in seconds/);
  });

  it.each([
    ['1e400', '"1e400"'],
    ['JSON 1e400 (Infinity)', '1e400'],
    ['300 hex digits', JSON.stringify(`0x${'f'.repeat(300)}`)],
    ['-1e400', '"-1e400"'],
  ])('refuses a non-finite number: %s', (_what, literal) => {
    const doc = json(`{"ttl": ${literal}, "maximum_lag_on_failover": ${literal}}`);
    const { issues, config } = validateDynamicConfig(doc);
    expect(issues.map((i) => i.path)).toEqual(['ttl', 'maximum_lag_on_failover']);
    expect(Number.isFinite(config.timing.ttl)).toBe(true);
    expect(Number.isFinite(config.maximumLagOnFailover)).toBe(true);
  });

  it('reads no infinity as an integer', () => {
    expect(parsePatroniInt('1e400')).toBeNull();
    expect(parsePatroniInt('1e400', 'MB')).toBeNull();
    expect(parsePatroniInt('1e30')).toBe(1e30);
  });
});

describe('DynamicConfigTracker on hostile documents', () => {
  it('refuses them, keeps the last good config and never throws', () => {
    const logger = new MemoryLogger();
    const tracker = new DynamicConfigTracker(logger);
    expect(tracker.update({ ttl: 40 }, '1').kind).toBe('applied');
    const docs = [
      json('{"postgresql": {"parameters": {"hot_standby": {"toString": 1}}}}'),
      json('{"postgresql": {"parameters": {"constructor": 1}}}'),
      json('{"postgresql": {"parameters": {"__proto__": {"x": 1}}}}'),
      { retry_timeout: 2_147_484 },
      { pause: true, ttl: 'bad' },
    ];
    docs.forEach((doc, i) => {
      const update = tracker.update(doc, String(i + 2));
      expect(update.kind).toBe('rejected');
      expect(tracker.current.timing.ttl).toBe(40);
      expect(tracker.current.pause).toBe(false);
    });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(docs.length);
  });

  it('survives values no JSON holds (BigInt, a cycle) and identifies them without a version', () => {
    const cyclic: Record<string, unknown> = { ttl: 30 };
    cyclic['self'] = cyclic;
    const tracker = new DynamicConfigTracker(new MemoryLogger());
    expect(() => tracker.update({ ttl: 10n })).not.toThrow();
    expect(() => tracker.update(cyclic)).not.toThrow();
    expect(() => tracker.update({ postgresql: { parameters: { work_mem: { deep: 1n } } } })).not.toThrow();
  });
});

describe('checkDynamicParameters', () => {
  it('never writes a user key through a setter', () => {
    const checker = new ConfigChecker();
    const out = checkDynamicParameters(checker, 'p', json('{"__proto__": {"polluted": 1}, "work_mem": "1MB"}'), []);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(checker.issues.map((i) => i.path)).toEqual(['p.__proto__']);
  });
});
