/**
 * One trial's record as JSON lines: every fault (planned, started, healed), every write
 * attempt's acknowledgement and the outcome. Times are ms on this process's monotonic
 * clock since the trial started, so faults and acks order on one axis.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { monoNow } from '../test/e2e/writer.js';

export class TrialLog {
  private readonly origin = monoNow();
  private buffer: string[] = [];

  constructor(readonly path: string | null) {
    if (path) mkdirSync(dirname(path), { recursive: true });
  }

  /** ms since the trial started. */
  now(): number {
    return monoNow() - this.origin;
  }

  /** Converts a monoNow() reading to trial time. */
  since(mono: number): number {
    return mono - this.origin;
  }

  write(type: string, fields: Record<string, unknown>): void {
    const line = JSON.stringify({ t: Math.round(this.now() * 10) / 10, type, ...fields });
    this.buffer.push(line);
    // Flushed in batches: acks arrive ten times a second per node.
    if (this.buffer.length >= 50 || type !== 'ack') this.flush();
  }

  flush(): void {
    if (!this.path || this.buffer.length === 0) {
      this.buffer = [];
      return;
    }
    appendFileSync(this.path, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }
}
