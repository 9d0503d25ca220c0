import { chown, rename, writeFile } from 'node:fs/promises';
import type { RunAs } from './run-as.js';

/**
 * Writes a file atomically (tmp + rename) and hands it to the Postgres user, so a
 * root-run agent does not leave files Postgres cannot read.
 */
export async function writeOwnedFile(path: string, content: string, mode: number, runAs: RunAs | null): Promise<void> {
  const tmp = `${path}.pgwarden-tmp`;
  await writeFile(tmp, content, { mode });
  if (runAs) await chown(tmp, runAs.uid, runAs.gid);
  await rename(tmp, path);
}
