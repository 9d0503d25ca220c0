import { accessSync, constants, statfsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GuardFiles, isSameProcess } from './guard-process.js';

/** statfs(2) f_type of tmpfs. */
const TMPFS_MAGIC = 0x01021994;

/**
 * Where the guard's files go when `pgwarden.fence_dir` is not set: a directory named
 * after the data dir, in memory when possible. The leader rewrites the state file on
 * every heartbeat (a new file renamed over the old one); on a disk file system each
 * rename queues a block write and costs the agent several times the CPU it costs on
 * tmpfs. So $TMPDIR is used when it is a tmpfs, else /dev/shm, else $TMPDIR anyway. A
 * live guard found in any of these places (left by an earlier agent) is adopted there.
 */
export function defaultFenceStateDir(dataDir: string, roots: readonly string[] = [tmpdir(), '/dev/shm']): string {
  const name = `pgwarden-fence-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`;
  const dirs = roots.map((root) => join(root, name));
  const adopted = dirs.find((dir) => isSameProcess(new GuardFiles(dir).readGuardRef()));
  if (adopted) return adopted;
  const inMemory = roots.findIndex(isWritableTmpfs);
  return dirs[inMemory === -1 ? 0 : inMemory]!;
}

function isWritableTmpfs(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return statfsSync(dir).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}
