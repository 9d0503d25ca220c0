import { defineConfig } from 'tsup';

// Built next to the sources (chaos/dist) so the e2e helpers it bundles still find
// bin/pgwarden.js at ../../bin relative to themselves.
export default defineConfig({
  entry: { main: 'chaos/main.ts' },
  outDir: 'chaos/dist',
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['@pgwarden/testkit', 'pg', 'yaml'],
});
