/**
 * The single async task (Patroni's AsyncExecutor): bootstrap, clone, promote, start,
 * restart, rewind, reinitialize, crash recovery, graceful demotion. At most one runs; the
 * loop keeps cycling (and refreshing the lock) meanwhile. A finished task reports its
 * result and wakes the loop.
 */
import type { Logger } from '../logger.js';
import type { PgFailureCode } from '../postgres/result.js';
import type { Clock } from '../time/clock.js';
import type { RunningTask, TaskKind } from './view.js';

export interface TaskResult {
  readonly kind: TaskKind;
  readonly name: string;
  readonly ok: boolean;
  readonly code?: PgFailureCode;
  readonly message?: string;
  /** The success value, when the operation has one (e.g. the rewind outcome). */
  readonly value?: unknown;
}

export interface TaskOutcome {
  readonly ok: boolean;
  readonly code?: PgFailureCode;
  readonly message?: string;
  readonly value?: unknown;
}

export type TaskBody = (signal: AbortSignal) => Promise<TaskOutcome>;

/** How long cancel() waits for a cancelled task to settle (Patroni kills the child after 10 s). */
export const CANCEL_GRACE_MS = 10_000;

export class TaskRunner {
  private running: { task: RunningTask; abort: AbortController; done: Promise<void> } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onFinished: (result: TaskResult) => void,
  ) {}

  get current(): RunningTask | null {
    return this.running?.task ?? null;
  }

  /** Starts `body` as the task; false (and a log line) when another is in progress. */
  launch(kind: TaskKind, name: string, body: TaskBody): boolean {
    if (this.running) {
      this.logger.warn(`Failed to run ${name}, ${this.running.task.name} is already in progress`);
      return false;
    }
    const abort = new AbortController();
    const task: RunningTask = { kind, name, startedAt: this.clock.now() };
    const done = (async () => {
      let result: TaskResult;
      try {
        const r = await body(abort.signal);
        result = { kind, name, ok: r.ok, code: r.code, message: r.message, value: r.value };
      } catch (error) {
        // Controller methods answer expected failures as values: a throw is a bug, reported as such.
        this.logger.error(`task "${name}" threw: ${error instanceof Error ? error.message : String(error)}`);
        result = { kind, name, ok: false, code: 'command-failed', message: String(error) };
      }
      if (this.running?.task === task) this.running = null;
      this.onFinished(result);
    })();
    this.running = { task, abort, done };
    return true;
  }

  /** Aborts the task and waits (bounded) for it to settle. */
  async cancel(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.abort.abort(new Error(`cancelled: ${r.task.name}`));
    let timer: { cancel(): void } | undefined;
    await Promise.race([r.done, new Promise<void>((resolve) => (timer = this.clock.setTimer(CANCEL_GRACE_MS, resolve)))]);
    timer?.cancel();
    // Whatever it does now, it is no longer the task: the next cycle may start another.
    if (this.running === r) this.running = null;
  }
}
