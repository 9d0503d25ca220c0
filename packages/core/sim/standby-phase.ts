/**
 * A standby-cluster phase for a simulation run: at `demoteAt` an operator writes a
 * `standby_cluster` section into `/config` (as `pgwardenctl demote-cluster` does),
 * pointing at a remote primary that does not exist in the world; at `promoteAt` it
 * removes it again (`promote-cluster`). In between the cluster must have no writable
 * primary, so the phase counts as an active fault for the liveness check, and healing
 * it starts the liveness bound: the promoted cluster must have a primary again.
 */
import type { World } from './world.js';

export interface StandbyPhaseOptions {
  /** Virtual ms at which standby_cluster is written into /config. */
  readonly demoteAt: number;
  /** Virtual ms at which it is removed again; null: the run ends as a standby cluster. */
  readonly promoteAt: number | null;
}

/** The phase the simulation's tests and mutation suite use: 80 s as a standby cluster, then promoted. */
export const STANDBY_RUN: StandbyPhaseOptions = { demoteAt: 60_000, promoteAt: 140_000 };
/** Long enough for the liveness bound after the promotion. */
export const STANDBY_RUN_MS = 240_000;

/** The section written: a remote the world cannot reach (the standby leader keeps retrying). */
export const SIM_REMOTE = { host: 'remote-primary.invalid', port: 5432 } as const;

export class StandbyPhase {
  /** When the section was written; null outside the phase. */
  standbySince: number | null = null;
  /** When the section was removed, once it has been. */
  promotedAt: number | null = null;

  constructor(
    private readonly world: World,
    readonly options: StandbyPhaseOptions,
  ) {}

  install(): void {
    const { clock } = this.world;
    clock.setTimer(this.options.demoteAt - clock.now(), () => this.demote());
    if (this.options.promoteAt !== null) clock.setTimer(this.options.promoteAt - clock.now(), () => this.promote());
  }

  private demote(): void {
    this.writeSection(SIM_REMOTE);
    this.standbySince = this.world.clock.now();
    this.world.activeFaults++;
    this.world.log.add('operator', 'standby_cluster written into /config (demote-cluster)');
  }

  private promote(): void {
    if (this.standbySince === null) return;
    this.writeSection(null);
    this.standbySince = null;
    this.promotedAt = this.world.clock.now();
    this.world.activeFaults--;
    this.world.lastHealAt = Math.max(this.world.lastHealAt, this.world.clock.now());
    this.world.log.add('operator', 'standby_cluster removed from /config (promote-cluster)');
  }

  /** Rewrites /config with the section set (or removed), keeping every other key. */
  private writeSection(section: Readonly<Record<string, unknown>> | null): void {
    const path = this.world.keyPaths.config;
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(this.world.server.get(path)?.value ?? '{}') as Record<string, unknown>;
    } catch {
      config = {};
    }
    if (section) config['standby_cluster'] = section;
    else delete config['standby_cluster'];
    this.world.server.put(path, JSON.stringify(config));
  }
}
