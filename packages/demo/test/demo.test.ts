/**
 * Runs the built demo (`dist/main.js --keep`) the way a user would, then checks the kept
 * cluster itself instead of trusting the demo's summary: the node the demo names as
 * the final primary must really be a writable primary, on timeline ≥ 3 (one failover
 * and one switchover each start a timeline), holding exactly as many rows as inserts the
 * demo saw acknowledged (`ACKED <n>`). Then `--cleanup` must leave no postgres behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo did not finish within ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** PIDs of live processes whose command line mentions `dir` (postmasters and their backends). */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

describe('pnpm demo', () => {
  let kept: string | null = null;

  afterAll(async () => {
    // Whatever happened above, do not leave a cluster running.
    if (kept && existsSync(kept)) await run(['--cleanup', kept], 30_000);
  });

  it('fails over, rewinds, switches over and keeps every acknowledged row', { timeout: 300_000 }, async () => {
    expect(existsSync(MAIN), `${MAIN} is missing: build the demo first (pnpm --filter @pgwarden/demo build)`).toBe(true);
    const { code, out } = await run(['--keep'], 280_000);
    kept = /^KEPT (\S+)$/m.exec(out)?.[1] ?? null;
    expect(code, out).toBe(0);
    const acked = Number(/^ACKED (\d+)$/m.exec(out)?.[1]);
    expect(acked, out).toBeGreaterThan(0);
    expect(kept, out).not.toBeNull();

    const info = JSON.parse(readFileSync(join(kept!, 'demo.json'), 'utf8')) as {
      primary: { host: string; port: number; user: string; password: string };
    };
    const client = new pg.Client({ ...info.primary, database: 'postgres', connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ in_recovery: boolean; timeline: number; n: string }>(
        `SELECT pg_is_in_recovery() AS in_recovery,
                ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS timeline,
                (SELECT count(*) FROM demo_rows)::text AS n`,
      );
      const r = rows[0]!;
      expect(r.in_recovery).toBe(false);
      expect(r.timeline).toBeGreaterThanOrEqual(3);
      expect(Number(r.n)).toBe(acked);
    } finally {
      await client.end();
    }

    const cleaned = await run(['--cleanup', kept!], 30_000);
    expect(cleaned.code, cleaned.out).toBe(0);
    expect(existsSync(kept!)).toBe(false);
    expect(processesUnder(kept!)).toEqual([]);
  });
});
