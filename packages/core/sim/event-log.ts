/**
 * The simulation's event log: one line per thing that happened, stamped with virtual
 * time. Two runs of the same seed must produce the same lines (that is the replay test),
 * so nothing here may depend on the host (no wall time, no object identities).
 */
import type { Clock } from '../src/time/clock.js';

export interface LogLine {
  readonly at: number;
  readonly source: string;
  readonly message: string;
}

export class EventLog {
  readonly lines: LogLine[] = [];
  /** Optional live sink (the CLI's --verbose). */
  sink: ((line: string) => void) | undefined;
  private readonly listeners = new Set<(line: LogLine) => void>();

  /** Calls `listener` with every line from now on (fault triggers); returns the unsubscribe. */
  onLine(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  constructor(private readonly clock: Clock) {}

  add(source: string, message: string): void {
    const line: LogLine = { at: this.clock.now(), source, message };
    this.lines.push(line);
    this.sink?.(formatLine(line));
    if (this.listeners.size > 0) for (const listener of [...this.listeners]) listener(line);
  }

  formatted(): string[] {
    return this.lines.map(formatLine);
  }

  tail(n: number): string[] {
    return this.lines.slice(-n).map(formatLine);
  }
}

export function formatTime(ms: number): string {
  return (ms / 1000).toFixed(3).padStart(9, ' ');
}

export function formatLine(line: LogLine): string {
  return `${formatTime(line.at)} ${line.source.padEnd(8, ' ')} ${line.message}`;
}
