import { defineConfig } from 'tsup';

// Built next to the sources (bench/dist) so the e2e harness it bundles still finds
// bin/pgwarden.js at ../../bin relative to itself, as it does from test/e2e.
export default defineConfig({
  entry: { main: 'bench/main.ts', 'load-worker': 'bench/load-worker.ts', 'tail-main': 'bench/tail-main.ts', 'tail-worker': 'bench/tail-worker.ts', 'fast-profile-main': 'bench/fast-profile-main.ts', soak: 'bench/soak.ts', fleet: 'bench/fleet.ts', memory: 'bench/memory.ts', 'memory-prelude': 'bench/memory-prelude.ts', 'pg-query-cost': 'bench/pg-query-cost.ts' },
  outDir: 'bench/dist',
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['@pgwarden/testkit', 'pg'],
});
