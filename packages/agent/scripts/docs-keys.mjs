// Writes docs/patroni-keys.md from the key table in src/config/patroni-keys.
// Usage: pnpm docs:keys (from the repository root).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

// esbuild comes with tsup (a root dev dependency); resolve it from there.
const require = createRequire(import.meta.url);
const { build } = createRequire(require.resolve('tsup'))('esbuild');

const here = dirname(fileURLToPath(import.meta.url));
const bundled = await build({
  entryPoints: [resolve(here, '../src/config/patroni-keys/render-doc.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
});
// Imported from a temporary file, so that an error points at a readable module.
const dir = mkdtempSync(join(tmpdir(), 'pgwarden-docs-keys-'));
const bundle = join(dir, 'render-doc.mjs');
writeFileSync(bundle, bundled.outputFiles[0].text);
let renderPatroniKeysDoc;
try {
  ({ renderPatroniKeysDoc } = await import(pathToFileURL(bundle).href));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const target = resolve(here, '../../../docs/patroni-keys.md');
writeFileSync(target, renderPatroniKeysDoc());
console.log(`wrote ${target}`);
