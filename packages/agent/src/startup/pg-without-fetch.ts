/**
 * Loads the PostgreSQL client without Node's fetch implementation. On Node 20, `pg`
 * asks whether it runs in a Cloudflare Worker by building a `Response` as it loads,
 * which loads undici (an HTTP client and its WebAssembly HTTP parser, compiled at once)
 * that the agent never uses: a few MB and some start-up CPU. `pg` reads
 * `navigator.userAgent` first when there is a `navigator` (Node 21 and later have one);
 * giving it Node's for the duration of the load yields the same answer without undici.
 * Later imports of `pg` get this same module from the cache.
 */
import { createRequire } from 'node:module';

export function loadPgWithoutFetch(): void {
  const load = (): unknown => createRequire(import.meta.url)('pg');
  const scope = globalThis as { navigator?: unknown };
  if ('navigator' in scope) {
    load();
    return;
  }
  scope.navigator = { userAgent: `Node.js/${process.versions.node}` };
  try {
    load();
  } finally {
    delete scope.navigator;
  }
}
