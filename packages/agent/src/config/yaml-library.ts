/**
 * The `yaml` package, loaded only while YAML is being read or written and dropped
 * again afterwards. The daemon reads YAML at start and on reload (patroni.yml and
 * YAML-valued environment variables) and never in between, but a module loaded with
 * `import` stays in memory for the life of the process: for `yaml`, 2–3 MB of source
 * and bytecode in every idle agent. Loaded with `require` and taken out of the require
 * cache once the current synchronous job is done (one config load reads many values
 * with one copy), nothing refers to it any more and V8 collects it.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

export type YamlLibrary = typeof import('yaml');

let current: YamlLibrary | null = null;

/** The `yaml` module, valid until the current job ends (do not keep it). */
export function yamlLibrary(): YamlLibrary {
  if (current) return current;
  const require = createRequire(import.meta.url);
  const files = dirname(require.resolve('yaml')) + sep;
  current = require('yaml') as YamlLibrary;
  queueMicrotask(() => {
    current = null;
    for (const file of Object.keys(require.cache)) if (file.startsWith(files)) delete require.cache[file];
  });
  return current;
}
