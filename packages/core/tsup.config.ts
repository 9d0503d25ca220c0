import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['vitest'],
  // The fence guard is a POSIX sh script run as its own process; it ships beside the bundle.
  onSuccess: 'cp src/fence/guard.sh dist/guard.sh',
});
