/**
 * One assembly: every node — the daemon's, the demo's, the simulation's, the tests' — is
 * built by createNode, so what the simulation proves is the composition that ships.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNode, HaLoop } from '../../src/index.js';

const PACKAGES = resolve(import.meta.dirname, '../../..');
const ASSEMBLY_FILE = 'core/src/ha/create-node.ts';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

describe('one assembly', () => {
  it('no file but create-node.ts constructs the loop or its executor', () => {
    const offenders: string[] = [];
    for (const file of sources(PACKAGES)) {
      const rel = relative(PACKAGES, file);
      if (rel === ASSEMBLY_FILE || rel === 'core/src/ha/loop.ts' || rel === 'core/test/ha/one-assembly.test.ts') continue;
      const text = readFileSync(file, 'utf8');
      if (/new\s+(HaLoop|Executor)\s*\(/.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });

  it.each([
    ['the daemon', 'agent/src/daemon/daemon.ts'],
    ['the demo', 'demo/src/node.ts'],
    ['the simulation', 'core/sim/agents/engine-agent.ts'],
    ['the loop tests', 'core/test/ha/build-node.ts'],
    ['the API tests', 'agent/test/api/pg-node.ts'],
  ])('%s builds its node with createNode', (_who, file) => {
    expect(readFileSync(join(PACKAGES, file), 'utf8')).toMatch(/\bcreateNode\(/);
  });

  it('the loop refuses to be built without the assembly', () => {
    const Loop = HaLoop as unknown as new (ports: unknown, token: symbol) => unknown;
    expect(() => new Loop({}, Symbol('not the assembly'))).toThrow(/createNode/);
  });

  it('createNode names a missing port instead of running without it', () => {
    expect(() => createNode({} as never)).toThrow(/the node port is required/);
  });
});
