/**
 * A client giving up on its commit (its timeout). It behaves like an AbortSignal for the
 * one use the Postgres model has (a flag, and listeners called at once, in the order they
 * were added, when it fires) but costs a plain object: an AbortController per commit was
 * a visible share of a run.
 */
export class GiveUp {
  private fired = false;
  private readonly listeners: (() => void)[] = [];

  get aborted(): boolean {
    return this.fired;
  }

  /** The client stops waiting: every listener runs now, once. */
  abort(): void {
    if (this.fired) return;
    this.fired = true;
    for (const listener of this.listeners.splice(0)) listener();
  }

  /** Calls `listener` when the client gives up; returns what removes it again. */
  onAbort(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
