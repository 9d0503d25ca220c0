import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which files the data directory and its pg_control are (device and inode): the same
 * pair means the same cluster, whose system identifier cannot have changed. Postgres
 * rewrites pg_control in place, so checkpoints keep its inode; initdb, a base backup or a
 * directory removed and re-created give new ones. Null when either cannot be read.
 */
export async function controlFileIdentity(dataDir: string): Promise<string | null> {
  try {
    const [dir, control] = await Promise.all([stat(dataDir, { bigint: true }), stat(join(dataDir, 'global', 'pg_control'), { bigint: true })]);
    return `${dir.dev}:${dir.ino}:${control.dev}:${control.ino}`;
  } catch {
    return null;
  }
}
