import { describe, expect, it } from 'vitest';
import { adapterModuleFrom, MEMORY_CAPABILITIES } from '../../src/index.js';

describe('adapterModuleFrom', () => {
  const valid = { section: 'mydcs', capabilities: MEMORY_CAPABILITIES, parseSection: () => ({ ok: true, value: {} }), create: async () => ({}) };

  it('accepts a module exporting dcsAdapter', () => {
    expect(adapterModuleFrom({ dcsAdapter: valid }, 'my-pkg').section).toBe('mydcs');
  });

  it('names the package and everything that is missing', () => {
    expect(() => adapterModuleFrom({ default: valid }, 'my-pkg')).toThrow("my-pkg is not a pgwarden DCS adapter: it has no export named 'dcsAdapter'");
    expect(() => adapterModuleFrom({ dcsAdapter: { section: 'x', capabilities: {} } }, 'p')).toThrow(
      /'parseSection' is not a function; 'create' is not a function; 'capabilities' lacks/,
    );
  });
});
