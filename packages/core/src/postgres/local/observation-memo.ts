import type { ControllerStatus, PostgresObservation } from '../observation.js';

/**
 * The monitoring query's last answer, kept so that later calls of the same HA cycle
 * (the member key, the slot pass) can use it instead of asking Postgres again
 * (`ObserveOptions.observedSince`). It serves only while it can still be true: asked late enough,
 * no call that acts on Postgres started since (start, stop, promote, reload, slot
 * changes…, each marks a change), and the controller still reports the same postmaster,
 * state and role — which also catches an action that began before the answer and ended
 * after it (a promotion finishing, a restart).
 */
export class ObservationMemo {
  private changes = 0;
  private last: {
    readonly observation: PostgresObservation;
    readonly changes: number;
    readonly fingerprint: string;
  } | null = null;

  /** Something is about to act on Postgres: what was observed before may no longer hold. */
  changed(): void {
    this.changes++;
    this.last = null;
  }

  /** Call before sending the query; pass the token to `remember` with its answer. */
  begin(): number {
    return this.changes;
  }

  /** Keeps the answer, unless something acted on Postgres while the query ran. */
  remember(observation: PostgresObservation, status: ControllerStatus, token: number): void {
    if (token === this.changes) this.last = { observation, changes: token, fingerprint: fingerprint(status) };
  }

  /** The last answer if its query was sent at or after `since` (Clock.now) and nothing changed since; else null. */
  recall(since: number | undefined, status: ControllerStatus): PostgresObservation | null {
    const last = this.last;
    if (!last || since === undefined) return null;
    if (last.changes !== this.changes || last.fingerprint !== fingerprint(status)) return null;
    return last.observation.observedAt >= since ? last.observation : null;
  }
}

function fingerprint(status: ControllerStatus): string {
  return `${status.postmasterPid ?? '-'}/${status.state}/${status.role}`;
}
