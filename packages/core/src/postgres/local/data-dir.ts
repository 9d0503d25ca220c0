import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * inspectDataDir for the HA cycle, which asks every `loop_wait`: a `valid` answer is kept
 * while three stats show the same files unchanged — the directory (device, inode, owner,
 * mode, change and modification times: adding or removing an entry moves both),
 * PG_VERSION (inode, size, times) and global/pg_control (device and inode; Postgres
 * rewrites it in place, and a new cluster is a new file). Removing either file, or the
 * directory, makes the next call look again; so does `forget()`, which the controller
 * calls before it creates, replaces or rewinds the data directory itself.
 */
export class DataDirInspector {
  private last: { readonly key: string; readonly state: DataDirState } | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly runAs: RunAs | null,
  ) {}

  async inspect(readSysid: () => Promise<string | null>): Promise<DataDirState> {
    const key = await this.identity();
    if (key !== null && this.last?.key === key) return this.last.state;
    const state = await inspectDataDir(this.dataDir, this.runAs, readSysid);
    // Keyed on the stats taken before the look: a change in between only makes the next call look again.
    this.last = key !== null && state.kind === 'valid' ? { key, state } : null;
    return state;
  }

  forget(): void {
    this.last = null;
  }

  private async identity(): Promise<string | null> {
    try {
      const [dir, version, control] = await Promise.all(
        [this.dataDir, join(this.dataDir, 'PG_VERSION'), join(this.dataDir, 'global', 'pg_control')].map((p) => stat(p, { bigint: true })),
      );
      return [
        `${dir!.dev}:${dir!.ino}:${dir!.uid}:${dir!.mode}:${dir!.mtimeNs}:${dir!.ctimeNs}`,
        `${version!.ino}:${version!.size}:${version!.mtimeNs}:${version!.ctimeNs}`,
        `${control!.dev}:${control!.ino}`,
      ].join('/');
    } catch {
      return null;
    }
  }
}
