/**
 * What one cycle's execution changes and reports back to the loop.
 */
import type { Decision } from './actions.js';
import type { HaMemory } from './view.js';

export interface CycleState {
  memory: HaMemory;
  /** Until when our lock is known valid; null when we do not hold it. */
  lockValidUntil: number | null;
  /** Run the next cycle at once. */
  wake: boolean;
  /** Run a cycle at this wall-clock time (epoch ms) if it comes before the next loop_wait. */
  wakeAt: number | null;
  /** The agent must stop (sysid mismatch, failed bootstrap). */
  fatal: string | null;
  /** The version of this cycle's last /sync write, for chained CAS writes. */
  lastSyncVersion: string | null | undefined;
  /** The branch names taken at each gate, in order. */
  path: string[];
  /** The leaf the cycle ended in. */
  leaf: Decision | null;
}
