import type { ControlData } from '../observation.js';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { Binaries } from './binaries.js';
import { parseLsn } from './lsn.js';
import type { RunAs } from './run-as.js';
import { lastLine, runProgram } from './run-program.js';

export function parseControlData(text: string): ControlData {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) raw[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const num = (k: string): number => Number.parseInt(raw[k] ?? '0', 10) || 0;
  return {
    sysid: raw['Database system identifier'] ?? '',
    clusterState: raw['Database cluster state'] ?? '',
    checkpointLsn: parseLsn(raw['Latest checkpoint location']) ?? 0,
    checkpointTimeline: num("Latest checkpoint's TimeLineID"),
    minRecoveryLsn: parseLsn(raw['Minimum recovery ending location']) ?? 0,
    minRecoveryTimeline: num("Min recovery ending loc's timeline"),
    walLogHints: raw['wal_log_hints setting'] === 'on',
    dataChecksums: (raw['Data page checksum version'] ?? '0') !== '0',
    raw,
  };
}

export async function readControlData(
  bins: Binaries,
  dataDir: string,
  runAs: RunAs | null,
  timeoutMs: number,
): Promise<PgResult<ControlData>> {
  const r = await runProgram(bins.path('pg_controldata'), ['-D', dataDir], { runAs, timeoutMs });
  if (r.code !== 0) return fail('command-failed', `pg_controldata ${dataDir}: ${lastLine(r)}`);
  return ok(parseControlData(r.stdout));
}
