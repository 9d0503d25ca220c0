/**
 * Property tests: no document — valid, mutated, arbitrary JSON or any JavaScript value —
 * makes validateDynamicConfig or DynamicConfigTracker.update throw, and whatever they
 * put in force is safe to use: timers within Node's limit, settings postgresql.conf can
 * hold, no key inherited from Object.prototype. Run counts are kept moderate (about
 * 3,700 documents in all, about two seconds here); set FUZZ_RUNS=N to run N of each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../../src/errors.js';
import { MemoryLogger } from '../../src/logger.js';
import { TIMER_LIMIT_SECONDS, MAX_TIMING_SECONDS } from '../../src/config/dynamic-limits.js';
import { validateDynamicConfig, type DynamicSettings } from '../../src/config/dynamic-schema.js';
import { DynamicConfigTracker } from '../../src/config/dynamic-tracker.js';
import { isReservedKey } from '../../src/config/setting-rules.js';
import { mutatedDynamicConfig, RESERVED_NAMES, validDynamicConfig } from '@pgwarden/testkit';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 0) || undefined;
const runs = (n: number): { numRuns: number } => ({ numRuns: RUNS ?? n });

const CONFIG_KEYS = ['ttl', 'loop_wait', 'retry_timeout', 'pause', 'postgresql', 'parameters', 'slots', 'standby_cluster', 'ignore_slots', 'host', 'pg_hba'];
const key = fc.oneof(fc.constantFrom(...CONFIG_KEYS, ...RESERVED_NAMES), fc.string({ maxLength: 8 }));

/** Any JavaScript value a careless caller could pass: boxed values, Maps, Dates, BigInts, sparse arrays, null prototypes. */
const anyValue = fc.anything({
  key,
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});
/** Any JSON document, shaped like a config often enough to reach the inner checks. */
const anyJsonDoc = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })),
  fc.record({ postgresql: fc.record({ parameters: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })) }) }),
);
const documents = fc.oneof(
  validDynamicConfig.map((doc) => JSON.parse(JSON.stringify(doc)) as unknown),
  mutatedDynamicConfig.map((m) => JSON.parse(m.text) as unknown),
  anyJsonDoc,
);

const LINE_BREAK = /[\n\r\0]/;

/** What the engine may rely on in any config validateDynamicConfig returns (good or fallback). */
function expectSafe(config: DynamicSettings): void {
  const { ttl, loopWait, retryTimeout } = config.timing;
  for (const seconds of [ttl, loopWait, retryTimeout]) {
    expect(Number.isSafeInteger(seconds)).toBe(true);
    expect(seconds).toBeLessThanOrEqual(MAX_TIMING_SECONDS);
    expect(seconds * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  }
  expect(loopWait + 2 * retryTimeout).toBeLessThanOrEqual(ttl);
  for (const seconds of [config.primaryStartTimeout, config.primaryStopTimeout]) {
    expect(Number.isSafeInteger(seconds) && seconds >= 0 && seconds <= TIMER_LIMIT_SECONDS).toBe(true);
  }
  for (const n of [config.maximumLagOnFailover, config.maximumLagOnSyncnode, config.maxTimelinesHistory, config.synchronousNodeCount]) {
    expect(Number.isFinite(n)).toBe(true);
  }
  for (const settings of [config.parameters, config.recoveryConf ?? {}]) {
    expect(Object.getPrototypeOf(settings)).toBe(Object.prototype);
    for (const [name, value] of Object.entries(settings)) {
      expect(isReservedKey(name)).toBe(false);
      expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/);
      const ok = typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && !LINE_BREAK.test(value));
      expect(ok, `${name} = ${typeof value}`).toBe(true);
      expect(() => `${name} = '${String(value)}'`).not.toThrow();
    }
  }
  for (const line of [...(config.pgHba ?? []), ...(config.pgIdent ?? [])]) expect(LINE_BREAK.test(line)).toBe(false);
  for (const slot of config.permanentSlots) expect(isReservedKey(slot.name)).toBe(false);
  expect(() => JSON.stringify({ ...config, document: null })).not.toThrow();
}

describe('validateDynamicConfig never throws and returns a safe config', () => {
  it('on valid, mutated and arbitrary JSON documents (2,000 runs)', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const { config, issues } = validateDynamicConfig(doc);
        expectSafe(config);
        for (const issue of issues) {
          expect(typeof issue.path).toBe('string');
          expect(formatConfigIssue(issue)).toContain(issue.reason);
        }
      }),
      runs(2000),
    );
  });

  it('on any JavaScript value (fc.anything, 600 runs)', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expectSafe(validateDynamicConfig(value).config);
        expectSafe(validateDynamicConfig({ postgresql: { parameters: value, recovery_conf: value, pg_hba: value }, slots: value, standby_cluster: value }).config);
      }),
      runs(600),
    );
  });

  it('accepts the valid documents and refuses every surely-bad mutation (500 runs each)', () => {
    fc.assert(
      fc.property(validDynamicConfig, (doc) => {
        expect(validateDynamicConfig(doc).issues).toEqual([]);
      }),
      runs(500),
    );
    fc.assert(
      fc.property(
        mutatedDynamicConfig.filter((m) => m.surelyBad),
        (m) => {
          expect(validateDynamicConfig(JSON.parse(m.text)).issues.length, m.text).toBeGreaterThan(0);
        },
      ),
      runs(500),
    );
  });
});

describe('DynamicConfigTracker.update never throws', () => {
  it('on sequences of documents, and keeps a safe config in force (100 sequences of up to 10)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(documents, anyValue), fc.option(fc.constantFrom('1', '2', '3'))), { maxLength: 10 }), (steps) => {
        const tracker = new DynamicConfigTracker(new MemoryLogger());
        for (const [doc, version] of steps) {
          const before = tracker.current;
          const update = tracker.update(doc, version ?? undefined);
          if (update.kind === 'rejected') expect(tracker.current).toBe(before);
          expectSafe(tracker.current);
        }
      }),
      runs(100),
    );
  });
});
