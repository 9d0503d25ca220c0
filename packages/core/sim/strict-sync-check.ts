/**
 * **strict-sync-ack** (synchronous_mode_strict, spec/ha.md §1.15): every commit a
 * primary acknowledges was confirmed by its synchronous standbys, judged at the instant
 * of the acknowledgement against `/sync` as the server holds it then:
 * - it was confirmed, never released because synchronous_standby_names went empty;
 * - `/sync` names the acknowledging node as its leader (it published itself before it
 *   promoted, §1.10), so the standbys /sync lists are this primary's;
 * - every standby `/sync` lists confirmed it: those are the nodes allowed to promote, so
 *   each must hold every acknowledged commit. When /sync lists none, only the leader
 *   itself may take over, and any confirmation (e.g. through `*`) will do.
 *
 * A commit acknowledged before `/config` exists (during the bootstrap, by the new primary)
 * is judged as soon as the bootstrapping node writes `/config`: if that says strict, the
 * commit must have been confirmed — the primary was strict from its first start.
 */
import { configPresent, strictModeOn, serverSync } from './dcs-truth.js';
import { formatTime } from './event-log.js';
import type { AckedCommit } from './postgres-model.js';
import type { World } from './world.js';

export function strictAckViolation(world: World, commit: AckedCommit): string | null {
  if (!strictModeOn(world)) return null;
  // Worded only for a violation: every acknowledged commit comes through here.
  const what = (): string => `commit ${commit.id} acknowledged by ${commit.node} at ${formatTime(commit.at).trim()}s (lsn ${commit.lsn}, tli ${commit.tli})`;
  if (!commit.sync) return `${what()} without confirmation by a synchronous standby (synchronous_standby_names was empty)`;
  const sync = serverSync(world);
  if (sync.leader?.toLowerCase() !== commit.node.toLowerCase()) return `${what()} while /sync names ${sync.leader ?? 'no leader'} as its leader`;
  const confirmed = new Set(commit.confirmedBy.map((n) => n.toLowerCase()));
  const missing = sync.syncStandbys.filter((s) => !confirmed.has(s.toLowerCase()));
  if (missing.length) return `${what()}, confirmed by ${commit.confirmedBy.join(',') || 'nobody'}, but /sync lists ${missing.join(',')}, which may be promoted without it`;
  return null;
}

/** strict-sync-ack over a whole run, the bootstrap included. */
export class StrictAckWatch {
  private beforeConfig: AckedCommit[] = [];

  constructor(private readonly world: World) {}

  /** At the instant of an acknowledgement; null when fine or not judged yet. */
  onAck(commit: AckedCommit): string | null {
    if (!configPresent(this.world)) {
      this.beforeConfig.push(commit);
      return null;
    }
    return strictAckViolation(this.world, commit);
  }

  /** After each step: once `/config` exists, the commits acknowledged before it. */
  step(): string | null {
    if (this.beforeConfig.length === 0 || !configPresent(this.world)) return null;
    const pending = this.beforeConfig;
    this.beforeConfig = [];
    if (!strictModeOn(this.world)) return null;
    const c = pending.find((p) => !p.sync);
    if (!c) return null;
    return `commit ${c.id} acknowledged by ${c.node} at ${formatTime(c.at).trim()}s (lsn ${c.lsn}, tli ${c.tli}) during the bootstrap of a strict cluster without confirmation by a synchronous standby (synchronous_standby_names was empty)`;
  }
}
