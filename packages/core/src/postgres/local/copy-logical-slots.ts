/**
 * Copying logical slots to a replica (spec/ha.md §3.10). PostgreSQL 15 cannot create a
 * logical slot on a standby, but it restores whatever slot state files it finds in
 * pg_replslot at startup. So the replica reads each slot's `state` file from the primary
 * over SQL (pg_read_binary_file, as the rewind user or the superuser), and while it is
 * stopped writes them into its own pg_replslot, atomically: a temporary directory,
 * fsync, rename, fsync of the parent.
 */
import { chown, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogicalSlotSpec } from '../slots.js';
import { withClient, type LocalConnectionTarget } from './connection.js';
import type { RunAs } from './run-as.js';

/** One slot's state file as read from the primary. */
export interface SlotStateFile {
  readonly name: string;
  readonly data: Buffer;
}

export interface ReadSlotStates {
  readonly states: SlotStateFile[];
  /** Slots not copied, and why (absent on the primary, or defined differently there). */
  readonly skipped: { readonly name: string; readonly reason: string }[];
}

interface PrimarySlotRow {
  slot_name: string;
  slot_type: string;
  datname: string | null;
  plugin: string | null;
  state: Buffer;
}

/** Reads the state files of `slots` from the leader; only slots that match their definition are returned. */
export async function readSlotStates(leader: LocalConnectionTarget, slots: readonly LogicalSlotSpec[], timeoutMs: number): Promise<ReadSlotStates> {
  const rows = await withClient(leader, { connectTimeoutMs: Math.min(3000, timeoutMs), statementTimeoutMs: Math.min(timeoutMs, 5000) }, async (c) =>
    (
      await c.query<PrimarySlotRow>(
        `SELECT slot_name, slot_type, datname, plugin,
                pg_read_binary_file('pg_replslot/' || slot_name || '/state') AS state
           FROM pg_get_replication_slots() JOIN pg_database ON datoid = oid
          WHERE NOT pg_is_in_recovery() AND slot_name = ANY($1)`,
        [slots.map((s) => s.name)],
      )
    ).rows,
  );
  const byName = new Map(rows.map((r) => [r.slot_name, r]));
  const states: SlotStateFile[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const want of slots) {
    const row = byName.get(want.name);
    if (!row) {
      skipped.push({ name: want.name, reason: 'the primary has no such logical slot (or is in recovery)' });
    } else if (row.slot_type !== 'logical' || row.datname !== want.database || row.plugin !== want.plugin) {
      const found = `type=${row.slot_type} database=${row.datname} plugin=${row.plugin}`;
      skipped.push({ name: want.name, reason: `configuration mismatch: configuration has database=${want.database} plugin=${want.plugin}, the primary has ${found}` });
    } else {
      states.push({ name: want.name, data: row.state });
    }
  }
  return { states, skipped };
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Modes as the data directory has them: group access (0750) or owner only (0700). */
async function modesOf(dataDir: string): Promise<{ dir: number; file: number }> {
  const groupAccess = ((await stat(dataDir)).mode & 0o070) !== 0;
  return groupAccess ? { dir: 0o750, file: 0o640 } : { dir: 0o700, file: 0o600 };
}

/** Writes the state files into `<dataDir>/pg_replslot/<name>/state`. Postgres must be stopped. */
export async function writeSlotStates(dataDir: string, states: readonly SlotStateFile[], runAs: RunAs | null): Promise<void> {
  const replslot = join(dataDir, 'pg_replslot');
  const modes = await modesOf(dataDir);
  const own = async (path: string): Promise<void> => {
    if (runAs) await chown(path, runAs.uid, runAs.gid);
  };
  for (const { name, data } of states) {
    const dir = join(replslot, name);
    // Postgres removes leftover `*.tmp` slot directories at startup.
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { mode: modes.dir });
    await own(tmp);
    const file = join(tmp, 'state');
    const fh = await open(file, 'w', modes.file);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await own(file);
    await fsyncPath(tmp);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await fsyncPath(dir);
  }
  await fsyncPath(replslot);
}
