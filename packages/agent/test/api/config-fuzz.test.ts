/**
 * Property tests of PATCH and PUT /config against the REST API in process, with /config
 * in the in-memory DCS. Documents: valid configs, the same with one field mutated to a
 * wrong type, range or name, arbitrary JSON, and stored documents that are already
 * broken. Whatever is sent:
 * - the answer is 200 or 400 (never a dropped connection or a 5xx);
 * - a 400 leaves the stored bytes exactly as they were;
 * - a 200 leaves a stored document that validateDynamicConfig accepts;
 * - a request carrying a surely-bad value is a 400.
 * 400 PATCH and 200 PUT requests by default (a couple of seconds); FUZZ_RUNS=N runs N of each.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDynamicConfig } from '@pgwarden/core';
import { applyMutation, mutatedDynamicConfig, mutation, RESERVED_NAMES, validDynamicConfig } from '@pgwarden/testkit';
import { startConfigApi, type ConfigApi } from './config-dcs.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 0) || undefined;

let api: ConfigApi;
beforeAll(async () => {
  api = await startConfigApi();
});
afterAll(async () => {
  await api.close();
});

const key = fc.oneof(fc.constantFrom('ttl', 'loop_wait', 'pause', 'postgresql', 'parameters', 'slots', 'standby_cluster', ...RESERVED_NAMES), fc.string({ maxLength: 6 }));

/** What is in the DCS before the request: mostly valid, sometimes already broken or arbitrary. */
const storedDocument = fc.oneof(
  { weight: 3, arbitrary: validDynamicConfig.map((doc) => JSON.stringify(doc)) },
  { weight: 1, arbitrary: mutatedDynamicConfig.map((m) => m.text) },
  { weight: 1, arbitrary: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })).map((doc) => JSON.stringify(doc)) },
);

/** A request body: a valid partial config with one mutation, a valid one, arbitrary JSON (not always an object). */
const requestBody = fc.oneof(
  { weight: 4, arbitrary: fc.record({ base: validDynamicConfig, m: mutation }).map(({ base, m }) => ({ text: applyMutation(base, m), surelyBad: m.surelyBad })) },
  { weight: 1, arbitrary: validDynamicConfig.map((doc) => ({ text: JSON.stringify(doc), surelyBad: false })) },
  { weight: 1, arbitrary: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })).map((doc) => ({ text: JSON.stringify(doc), surelyBad: false })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => ({ text: JSON.stringify(v), surelyBad: false })) },
);

function accepted(text: string | undefined): boolean {
  return text !== undefined && validateDynamicConfig(JSON.parse(text)).issues.length === 0;
}

describe('PATCH /config (fast-check, in-memory DCS)', () => {
  it('answers 200 or 400; a 400 writes nothing; a 200 stores a valid document', async () => {
    const seen = { 200: 0, 400: 0 };
    await fc.assert(
      fc.asyncProperty(storedDocument, requestBody, async (stored, body) => {
        api.store(stored);
        const res = await api.send('PATCH', '/config', body.text);
        expect([200, 400], res.text).toContain(res.status);
        seen[res.status as 200 | 400] += 1;
        if (res.status === 400) {
          expect(api.stored()).toBe(stored);
        } else {
          expect(accepted(api.stored()), api.stored()).toBe(true);
          expect(JSON.parse(res.text)).toEqual(JSON.parse(api.stored()!));
        }
        if (body.surelyBad) expect(res.status, body.text).toBe(400);
      }),
      { numRuns: RUNS ?? 400 },
    );
    // Both outcomes were exercised, so the properties above were not vacuous.
    expect(seen[200]).toBeGreaterThan(20);
    expect(seen[400]).toBeGreaterThan(20);
  });
});

describe('PUT /config (fast-check, in-memory DCS)', () => {
  it('answers 200 exactly for documents the agents accept; a 400 writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(storedDocument, requestBody, async (stored, body) => {
        api.store(stored);
        const res = await api.send('PUT', '/config', body.text);
        expect([200, 400], res.text).toContain(res.status);
        const parsed: unknown = JSON.parse(body.text);
        const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length > 0;
        expect(res.status === 200, body.text).toBe(isObject && validateDynamicConfig(parsed).issues.length === 0);
        if (res.status === 400) expect(api.stored()).toBe(stored);
        else expect(accepted(api.stored())).toBe(true);
      }),
      { numRuns: RUNS ?? 200 },
    );
  });
});
