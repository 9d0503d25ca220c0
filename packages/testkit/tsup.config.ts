import { defineConfig } from 'tsup';

export default defineConfig({
  // The Consul double runs as its own process, so it is an entry point of its own.
  entry: { index: 'src/index.ts', 'consul-double/main': 'src/consul-double/main.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
