/**
 * Checks of this host that only `--validate-config` runs (Patroni's validator does the
 * same): the data directory is usable, and the Postgres programs are where the config
 * says. A normal start leaves these to the Postgres controller, which reports them with
 * more context.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ConfigChecker } from '@pgwarden/core';

/** Programs Patroni requires (pg_rewind is optional). */
const REQUIRED_BINARIES = ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready'];

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A missing or empty directory is fine (initdb or a clone fills it); otherwise it must look like a cluster. */
export function checkDataDir(checker: ConfigChecker, path: string, dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (!isDirectory(dataDir)) {
    checker.issue(path, dataDir, 'is not a directory');
    return;
  }
  if (readdirSync(dataDir).length === 0) return;
  const versionFile = join(dataDir, 'PG_VERSION');
  if (!existsSync(versionFile)) {
    checker.issue(path, dataDir, "doesn't look like a valid data directory (no PG_VERSION); empty it or point data_dir elsewhere");
    return;
  }
  const version = Number.parseFloat(readFileSync(versionFile, 'utf8').trim());
  const walDir = version >= 10 ? 'pg_wal' : 'pg_xlog';
  if (!isDirectory(join(dataDir, walDir))) {
    checker.issue(path, dataDir, `data dir for the cluster is not empty, but doesn't contain "${walDir}" directory`);
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Every required program exists in bin_dir (or on PATH when bin_dir is not set), honouring bin_name. */
export function checkBinaries(
  checker: ConfigChecker,
  path: string,
  binDir: string | undefined,
  binName: Readonly<Record<string, string>>,
  searchPath: string = process.env.PATH ?? '',
): void {
  if (binDir) {
    if (!existsSync(binDir)) {
      checker.issue(path, binDir, `Directory '${binDir}' does not exist.`);
      return;
    }
    if (!isDirectory(binDir)) {
      checker.issue(path, binDir, `'${binDir}' is not a directory.`);
      return;
    }
  }
  const dirs = binDir ? [binDir] : searchPath.split(delimiter).filter(Boolean);
  for (const program of REQUIRED_BINARIES) {
    const name = binName[program] ?? program;
    if (!dirs.some((dir) => isExecutable(join(dir, name)))) {
      checker.issue(path, binDir ?? '', `does not contain '${name}' in '${binDir ?? '$PATH'}'; set postgresql.bin_dir to the directory holding the Postgres programs`);
    }
  }
}
