/** The version pgwardenctl reports: the agent package's. */
import { createRequire } from 'node:module';

function readVersion(): string {
  const require = createRequire(import.meta.url);
  // The bundle may sit in dist/, dist/ctl/ or (under vitest) src/ctl/.
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === '@pgwarden/agent' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export const CTL_VERSION = readVersion();
