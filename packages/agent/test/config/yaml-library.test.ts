/**
 * The yaml library is loaded for the reads of one job and then dropped from the require
 * cache, so that an idle agent does not hold it; a later read loads it again.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { yamlLibrary } from '../../src/config/yaml-library.js';
import { parsePatroniYaml } from '../../src/config/yaml.js';

const cache = createRequire(import.meta.url).cache;
const yamlFiles = (): string[] => Object.keys(cache).filter((f) => f.includes('/yaml/'));
const nextJob = (): Promise<void> => new Promise((done) => setImmediate(done));

describe('yamlLibrary', () => {
  it('serves one copy within a job and leaves the require cache once the job ends', async () => {
    await nextJob();
    expect(yamlFiles()).toEqual([]);
    const first = yamlLibrary();
    expect(yamlLibrary()).toBe(first);
    expect(yamlFiles().length).toBeGreaterThan(0);
    await nextJob();
    expect(yamlFiles()).toEqual([]);
  });

  it('reads Patroni YAML again after it was dropped', async () => {
    expect(parsePatroniYaml('a: on\nb: [1, 2]\n', 'first')).toEqual({ a: true, b: [1, 2] });
    await nextJob();
    expect(yamlFiles()).toEqual([]);
    expect(parsePatroniYaml('mode: off\n', 'second')).toEqual({ mode: false });
    expect(yamlLibrary().stringify({ k: 'on' }, { version: '1.1' })).toBe('k: "on"\n');
  });
});
