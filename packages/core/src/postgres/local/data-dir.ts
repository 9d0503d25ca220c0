import { statSync } from 'node:fs';
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
 *
 * The three stats are synchronous: a stat of a local file answers in microseconds, while
 * through libuv's thread pool it woke the agent once more every cycle. A hung file system
 * stalls the cycle either way, as the cycle waits for this answer.
 */
export class DataDirInspector {
  private last: { readonly fingerprint: readonly bigint[]; readonly state: DataDirState } | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly runAs: RunAs | null,
  ) {}

  async inspect(readSysid: () => Promise<string | null>): Promise<DataDirState> {
    const fingerprint = this.fingerprint();
    if (fingerprint !== null && this.last !== null && sameFingerprint(this.last.fingerprint, fingerprint)) return this.last.state;
    const state = await inspectDataDir(this.dataDir, this.runAs, readSysid);
    // Keyed on the stats taken before the look: a change in between only makes the next call look again.
    this.last = fingerprint !== null && state.kind === 'valid' ? { fingerprint, state } : null;
    return state;
  }

  forget(): void {
    this.last = null;
  }

  private fingerprint(): bigint[] | null {
    try {
      const dir = statSync(this.dataDir, { bigint: true });
      const version = statSync(join(this.dataDir, 'PG_VERSION'), { bigint: true });
      const control = statSync(join(this.dataDir, 'global', 'pg_control'), { bigint: true });
      return [
        dir.dev, dir.ino, dir.uid, dir.mode, dir.mtimeNs, dir.ctimeNs,
        version.ino, version.size, version.mtimeNs, version.ctimeNs,
        control.dev, control.ino,
      ];
    } catch {
      return null;
    }
  }
}

function sameFingerprint(a: readonly bigint[], b: readonly bigint[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}
