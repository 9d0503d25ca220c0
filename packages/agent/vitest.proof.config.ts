import { defineConfig } from 'vitest/config';

/** Long proofs run outside `pnpm test` (see proof/). */
export default defineConfig({
  test: {
    include: ['proof/**/*.proof.ts'],
    testTimeout: 4 * 3600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
