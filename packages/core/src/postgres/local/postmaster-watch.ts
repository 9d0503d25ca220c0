import { watch, type FSWatcher } from 'node:fs';
import type { Clock, TimerHandle } from '../../time/clock.js';
import { isGone, ProcStatReader } from './proc.js';

/** After a hint, how often and for how long the watch looks again (a postmaster removes its pid file just before it exits). */
const HINT_FOLLOW_UP_MS = 100;
const HINT_FOLLOW_UP_FOR_MS = 3000;

export interface PostmasterWatchOptions {
  /**
   * How often to read /proc when nothing else says the postmaster may be gone, or null
   * for never: our own child's exit is reported by its `exit` event (SIGCHLD), and its
   * PID cannot be reused before we reap it.
   */
  readonly backstopMs: number | null;
  /** postmaster.pid to watch (inotify): a postmaster that exits cleanly removes it. */
  readonly pidFile?: string;
}

/**
 * Reports the moment a postmaster exits, whether it is our child or one we adopted.
 * Node has no pidfd, so the test is a read of /proc/<pid>/stat, through a file held open
 * (which fails once the process is reaped), comparing the start time too (a reused PID
 * counts as an exit). It runs when something says the postmaster may be
 * gone (`hint()`: the child's exit event, Postgres closing the agent's session — backends
 * leave at once when their postmaster dies — or postmaster.pid changing), on every
 * `check()` the HA cycle makes, and every `backstopMs` — not on a fast timer, which woke an
 * idle agent ten times a second.
 */
export class PostmasterWatch {
  private timer: TimerHandle | null = null;
  private done = false;
  private followUntil = 0;
  private fileWatch: FSWatcher | null = null;
  /** Opened at the first check, closed by stop(): one pread per check. */
  private stat: ProcStatReader | null = null;
  private statOpened = false;

  constructor(
    readonly pid: number,
    readonly startedAtMs: number,
    private readonly clock: Clock,
    private readonly onExit: () => void,
    private readonly options: PostmasterWatchOptions,
  ) {
    if (options.pidFile) this.watchPidFile(options.pidFile);
    this.schedule();
  }

  private watchPidFile(path: string): void {
    try {
      this.fileWatch = watch(path, { persistent: false }, () => this.hint());
      this.fileWatch.on('error', () => undefined);
    } catch {
      // Already gone (the postmaster is exiting) or unreadable: the check below and the backstop see it.
    }
  }

  private schedule(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.done) return;
    const following = this.clock.now() < this.followUntil;
    const ms = following ? HINT_FOLLOW_UP_MS : this.options.backstopMs;
    if (ms === null) return;
    this.timer = this.clock.setTimer(ms, () => void this.check().then(() => this.schedule()));
  }

  /** Something suggests the postmaster may be exiting: check now, then briefly every 100 ms. */
  hint(): void {
    if (this.done) return;
    this.followUntil = this.clock.now() + HINT_FOLLOW_UP_FOR_MS;
    void this.check().then(() => this.schedule());
  }

  /** Checks now; fires onExit once if the process is gone. */
  async check(): Promise<void> {
    if (this.done) return;
    if (!this.statOpened) {
      this.statOpened = true;
      this.stat = ProcStatReader.open(this.pid);
    }
    const info = this.stat?.read() ?? null;
    if (isGone(info) || (info && Math.abs(info.startedAtMs - this.startedAtMs) > 50)) {
      if (this.done) return;
      this.stop();
      this.onExit();
    }
  }

  get exited(): boolean {
    return this.done;
  }

  stop(): void {
    this.done = true;
    this.timer?.cancel();
    this.timer = null;
    this.fileWatch?.close();
    this.fileWatch = null;
    this.stat?.close();
    this.stat = null;
  }
}
