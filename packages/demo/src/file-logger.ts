import { appendFileSync } from 'node:fs';
import type { Logger } from '@pgwarden/core';

/**
 * Each node's engine and controller log into `<node>.agent.log` in the demo directory,
 * one line per message, so the terminal shows the story and the file shows the detail.
 * The last lines are kept in memory for the demo's own checks and error reports.
 */
export class FileLogger implements Logger {
  readonly recent: string[] = [];

  constructor(private readonly path: string) {}

  private write(level: string, message: string, fields?: Record<string, unknown>): void {
    const line = `${new Date().toISOString()} ${level.toUpperCase()}: ${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}`;
    this.recent.push(line);
    if (this.recent.length > 400) this.recent.splice(0, this.recent.length - 400);
    appendFileSync(this.path, `${line}\n`);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }
}
