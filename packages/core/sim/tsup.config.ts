// Bundles the simulation CLI (Node 20 cannot run .ts): npx tsup --config sim/tsup.config.ts
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'sim/cli.ts' },
  outDir: 'sim/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  dts: false,
  sourcemap: false,
});
