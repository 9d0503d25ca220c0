/**
 * The fence: a process outside the agent (like a hardware watchdog) that kills Postgres
 * when the deadline it was given passes without being moved. The agent arms it with its
 * lock's `validUntil` (Clock.now is shared by processes on a host, see time/clock.ts), so
 * a paused or killed agent cannot leave a writable primary past its lock. It lives in the
 * world, not in the agent: pausing or killing the agent does not stop it.
 */
import type { Clock, TimerHandle } from '../src/time/clock.js';

export interface Fence {
  /** Kill Postgres at `deadline` (Clock.now ms) unless re-armed or disarmed before. */
  arm(deadline: number): void;
  disarm(): void;
  readonly deadline: number | null;
}

export class WorldFence implements Fence {
  private timer: TimerHandle | null = null;
  deadline: number | null = null;
  /** How many times it fired. */
  fired = 0;

  constructor(
    private readonly clock: Clock,
    private readonly kill: () => void,
  ) {}

  arm(deadline: number): void {
    this.timer?.cancel();
    this.deadline = deadline;
    this.timer = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => {
      this.timer = null;
      this.deadline = null;
      this.fired++;
      this.kill();
    });
  }

  disarm(): void {
    this.timer?.cancel();
    this.timer = null;
    this.deadline = null;
  }
}
