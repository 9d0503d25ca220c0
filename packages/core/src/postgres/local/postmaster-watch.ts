import type { Clock, TimerHandle } from '../../time/clock.js';
import { isGone, readProcSync } from './proc.js';

/**
 * Reports the moment a postmaster exits, whether it is our child or one we adopted.
 * Polls /proc/<pid>/stat (Node has no pidfd) and checks the start time too, so a reused
 * PID counts as an exit. Our own child's 'exit' event calls `check()` for a prompt answer.
 */
export class PostmasterWatch {
  private timer: TimerHandle | null = null;
  private done = false;

  constructor(
    readonly pid: number,
    readonly startedAtMs: number,
    private readonly clock: Clock,
    private readonly onExit: () => void,
    private readonly intervalMs = 100,
  ) {
    this.schedule();
  }

  private schedule(): void {
    if (this.done) return;
    this.timer = this.clock.setTimer(this.intervalMs, () => void this.check().then(() => this.schedule()));
  }

  /** Checks now; fires onExit once if the process is gone. */
  async check(): Promise<void> {
    if (this.done) return;
    const info = readProcSync(this.pid);
    if (isGone(info) || (info && Math.abs(info.startedAtMs - this.startedAtMs) > 50)) {
      if (this.done) return;
      this.done = true;
      this.timer?.cancel();
      this.onExit();
    }
  }

  get exited(): boolean {
    return this.done;
  }

  stop(): void {
    this.done = true;
    this.timer?.cancel();
  }
}
