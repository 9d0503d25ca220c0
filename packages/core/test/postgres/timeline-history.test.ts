/**
 * The controller's TimelineHistorySource (an interface gap the engine worked around:
 * without it /history was never written after a promotion).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalPostgresController } from '../../src/index.js';

describe('LocalPostgresController.readTimelineHistory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-history-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const controller = new LocalPostgresController({
    config: {
      scope: 's',
      name: 'n1',
      data_dir: join(dir, 'data'),
      listen: '127.0.0.1:1',
      authentication: { superuser: { username: 'postgres' }, replication: { username: 'rep' } },
    },
  });

  it('reads pg_wal/<tli>.history as [parent timeline, switch LSN in bytes, reason] lines', async () => {
    mkdirSync(join(dir, 'data', 'pg_wal'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'pg_wal', '0000000B.history'),
      '1\t0/3000158\tno recovery target specified\n\n10\t1/A0\tbefore 2024-01-01 00:00:00+00\n',
    );
    expect(await controller.readTimelineHistory(11)).toEqual({
      ok: true,
      value: [
        [1, 0x3000158, 'no recovery target specified'],
        [10, 0x1_0000_00a0, 'before 2024-01-01 00:00:00+00'],
      ],
    });
  });

  it('answers an empty history for timeline 1 and a failure for a missing file', async () => {
    expect(await controller.readTimelineHistory(1)).toEqual({ ok: true, value: [] });
    const missing = await controller.readTimelineHistory(5);
    expect(missing.ok).toBe(false);
  });
});
