import type { Clock } from '../../time/clock.js';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import { withClient, type LocalConnectionTarget } from './connection.js';

export interface ReloadEffect {
  readonly reloaded: string[];
  readonly pendingRestart: Record<string, { old_value: string; new_value: string }>;
}

/**
 * Sends the reload and asks Postgres what it made of it: once pg_conf_load_time() moves,
 * every parameter whose new value needs a restart shows `pending_restart` in
 * pg_settings (PG ≥ 9.5). Using the server's own verdict makes the comparison
 * unit-aware for free and also reports changes made behind our back.
 */
export async function reloadAndCompare(
  target: LocalConnectionTarget,
  desired: Readonly<Record<string, string>>,
  clock: Clock,
  timeoutMs: number,
  /** Settings never reported as pending (e.g. recovery settings on a primary). */
  ignore: readonly string[],
  sendReload: () => void,
): Promise<PgResult<ReloadEffect>> {
  const deadline = clock.now() + timeoutMs;
  try {
    const before = await withClient(target, {}, async (c) => {
      const r = await c.query<{ t: string }>('SELECT pg_conf_load_time()::text AS t');
      const s = await c.query<{ name: string; setting: string }>('SELECT name, current_setting(name) AS setting FROM pg_settings');
      return { loadTime: r.rows[0]?.t ?? '', settings: new Map(s.rows.map((row) => [row.name, row.setting])) };
    });
    sendReload();
    for (;;) {
      const after = await withClient(target, {}, async (c) => {
        const r = await c.query<{ t: string }>('SELECT pg_conf_load_time()::text AS t');
        const p = await c.query<{ name: string; context: string; pending_restart: boolean }>(
          'SELECT name, context, pending_restart FROM pg_settings',
        );
        return { loadTime: r.rows[0]?.t ?? '', rows: p.rows };
      });
      if (after.loadTime !== before.loadTime) {
        const pendingRestart: ReloadEffect['pendingRestart'] = {};
        const reloaded: string[] = [];
        for (const row of after.rows) {
          if (ignore.includes(row.name)) continue;
          if (row.pending_restart) {
            const change = pendingChange(before.settings.get(row.name), desired[row.name]);
            if (change) pendingRestart[row.name] = change;
          } else if (row.name in desired && row.context !== 'postmaster' && row.context !== 'internal') {
            reloaded.push(row.name);
          }
        }
        return ok({ reloaded, pendingRestart });
      }
      if (clock.now() > deadline) return fail('timeout', 'Postgres did not process the reload in time');
      await clock.sleep(50);
    }
  } catch (e) {
    return fail('query-failed', `reading pg_settings failed: ${(e as Error).message}`, e);
  }
}

/**
 * A `pending_restart` row is reported only when the value really changes. Postgres also
 * flags postmaster-level settings the file merely re-states (a replica's empty
 * `recovery_target*` lines): `{old_value: '', new_value: ''}` is not a change to restart for.
 */
export function pendingChange(current: string | undefined, desired: string | undefined): { old_value: string; new_value: string } | null {
  const change = { old_value: current ?? '', new_value: desired ?? '' };
  return change.old_value === change.new_value ? null : change;
}
