import { readdir, stat } from 'node:fs/promises';
import type { DataDirState } from '../types.js';
import { readPgVersion } from './binaries.js';
import type { RunAs } from './run-as.js';

/**
 * What the data directory holds. Checks the owner first: Postgres refuses a data dir
 * owned by another user, and we would rather say so before touching anything.
 */
export async function inspectDataDir(
  dataDir: string,
  runAs: RunAs | null,
  readSysid: () => Promise<string | null>,
): Promise<DataDirState> {
  let st;
  try {
    st = await stat(dataDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'empty' };
    return { kind: 'not-accessible', reason: `${dataDir}: ${(e as Error).message}` };
  }
  if (!st.isDirectory()) return { kind: 'not-accessible', reason: `${dataDir} is not a directory` };
  const expectedUid = runAs?.uid ?? process.getuid?.() ?? st.uid;
  if (st.uid !== expectedUid) {
    return {
      kind: 'not-accessible',
      reason: `${dataDir} is owned by uid ${st.uid}, but Postgres runs as uid ${expectedUid}`,
    };
  }
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch (e) {
    return { kind: 'not-accessible', reason: `${dataDir}: ${(e as Error).message}` };
  }
  if (entries.length === 0) return { kind: 'empty' };
  const majorVersion = await readPgVersion(dataDir);
  if (majorVersion === null || !entries.includes('global')) {
    return { kind: 'invalid', reason: `${dataDir} is not empty and holds no PostgreSQL data directory (no PG_VERSION)` };
  }
  const sysid = await readSysid();
  if (!sysid) return { kind: 'invalid', reason: `${dataDir}: pg_controldata reports no system identifier` };
  return { kind: 'valid', sysid, majorVersion };
}
