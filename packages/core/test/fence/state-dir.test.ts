/**
 * The guard's files default to memory (tmpfs): the leader rewrites the state file on each
 * heartbeat, which on a disk file system costs a block write each time.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFenceStateDir } from '../../src/index.js';
import { startTicksSync } from '../../src/fence/boot-clock.js';
import { GuardFiles } from '../../src/fence/guard-process.js';

const TMPFS_MAGIC = 0x01021994;
const made: string[] = [];
function scratch(root: string): string {
  const dir = mkdtempSync(join(root, 'pgwarden-state-dir-test-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('defaultFenceStateDir', () => {
  it('prefers a tmpfs root over a disk one, and names the directory after the data dir', () => {
    expect(statfsSync('/dev/shm').type, '/dev/shm must be a tmpfs on this machine').toBe(TMPFS_MAGIC);
    const disk = scratch(process.cwd());
    expect(statfsSync(disk).type, 'the package directory must be on disk').not.toBe(TMPFS_MAGIC);
    const memory = scratch('/dev/shm');
    const dir = defaultFenceStateDir('/var/lib/postgresql/15/main', [disk, memory]);
    expect(dirname(dir)).toBe(memory);
    expect(basename(dir)).toMatch(/^pgwarden-fence-[0-9a-f]{12}$/);
    expect(defaultFenceStateDir('/var/lib/postgresql/15/main/', [disk, memory])).toBe(dir);
    expect(defaultFenceStateDir('/var/lib/postgresql/16/main', [disk, memory])).not.toBe(dir);
  });

  it('falls back to the first root when none is a tmpfs', () => {
    const disk = scratch(process.cwd());
    expect(dirname(defaultFenceStateDir('/data', [disk, join(disk, 'missing')]))).toBe(disk);
  });

  it('adopts a live guard where an earlier agent left it, even on disk', () => {
    const disk = scratch(process.cwd());
    const memory = scratch('/dev/shm');
    const onDisk = join(disk, basename(defaultFenceStateDir('/data', [disk, memory])));
    mkdirSync(onDisk);
    // This test process stands in for the live guard (PID and start ticks, as guard.pid holds them).
    writeFileSync(join(onDisk, 'guard.pid'), `${process.pid} ${startTicksSync(process.pid)}\n`);
    expect(defaultFenceStateDir('/data', [disk, memory])).toBe(onDisk);
    // A guard.pid naming a dead process is not adopted.
    writeFileSync(join(onDisk, 'guard.pid'), `${process.pid} 1\n`);
    expect(dirname(defaultFenceStateDir('/data', [disk, memory]))).toBe(memory);
  });

  it('uses $TMPDIR by default when it is in memory', () => {
    const dir = defaultFenceStateDir('/data');
    expect([tmpdir(), '/dev/shm']).toContain(dirname(dir));
    if (statfsSync(tmpdir()).type === TMPFS_MAGIC) expect(dirname(dir)).toBe(tmpdir());
    else expect(dirname(dir)).toBe('/dev/shm');
  });
});

describe('the guard files', () => {
  it('are written again when their directory was removed behind the agent', () => {
    const files = new GuardFiles(join(scratch('/dev/shm'), 'fence'));
    files.prepare();
    files.writeState({ kind: 'exit' });
    rmSync(files.dir, { recursive: true });
    files.writeState({ kind: 'disarmed', agent: { pid: 12, ticks: 34 } });
    expect(readFileSync(files.state, 'utf8')).toBe('disarmed 12 34\n');
  });
});
