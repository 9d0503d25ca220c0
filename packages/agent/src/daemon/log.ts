/**
 * The daemon's logger: Patroni's default line (`2024-06-17 10:00:00,123 INFO: message`)
 * or one JSON object per line (`--log-format json`, or `log.type: json`). Lines below
 * `log.level` are dropped. Fields travel in JSON only; a plain line stays the message
 * an operator reads, plus a short `cause` when there is one.
 */
import type { Logger } from '@pgwarden/core';

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

const RANK: Record<LogLevelName, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

export interface DaemonLogger extends Logger {
  setLevel(level: string): void;
  critical(message: string, fields?: Record<string, unknown>): void;
}

export interface LogOptions {
  readonly format: 'plain' | 'json';
  /** patroni.yml spellings: WARN = WARNING, FATAL = CRITICAL. */
  readonly level: string;
  readonly write: (line: string) => void;
  readonly staticFields?: Readonly<Record<string, unknown>>;
}

export function levelName(level: string): LogLevelName {
  const upper = level.toUpperCase();
  if (upper === 'WARN') return 'WARNING';
  if (upper === 'FATAL') return 'CRITICAL';
  return upper in RANK ? (upper as LogLevelName) : 'INFO';
}

/** Python's asctime: `2024-06-17 10:00:00,123` in local time. */
function asctime(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

function causeText(fields: Record<string, unknown> | undefined): string {
  const cause = fields?.['cause'];
  if (cause === undefined || cause === null) return '';
  const text = cause instanceof Error ? cause.message : String(cause);
  // A stack trace never replaces the message: only its first line goes on a plain line.
  return `: ${text.split('\n')[0]}`;
}

export function createLogger(options: LogOptions): DaemonLogger {
  let threshold = RANK[levelName(options.level)];
  const emit = (level: LogLevelName, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < threshold) return;
    const now = new Date();
    if (options.format === 'json') {
      const record: Record<string, unknown> = { ...options.staticFields, asctime: asctime(now), levelname: level, message };
      for (const [k, v] of Object.entries(fields ?? {})) record[k] = v instanceof Error ? v.message : v;
      options.write(`${JSON.stringify(record)}\n`);
    } else {
      options.write(`${asctime(now)} ${level}: ${message}${causeText(fields)}\n`);
    }
  };
  const logger: DaemonLogger = {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARNING', m, f),
    error: (m, f) => emit('ERROR', m, f),
    critical: (m, f) => emit('CRITICAL', m, f),
    setLevel: (level) => {
      threshold = RANK[levelName(level)];
    },
  };
  return logger;
}
