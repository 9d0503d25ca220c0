/**
 * The daemon's logger: Patroni's default line (`2024-06-17 10:00:00,123 INFO: message`,
 * or whatever `log.format`/`log.dateformat` say) or one JSON object per line
 * (`--log-format json`, or `log.type: json`). Lines below `log.level` are dropped.
 * Extra fields travel in JSON only; a plain line stays the message an operator reads,
 * plus a short `cause` when there is one.
 *
 * With `log.dir` the lines go to `<dir>/patroni.log`, rotated by size (log-file.ts), and
 * no longer to stderr — as Patroni. `configure()` applies a reloaded `log:` section.
 */
import type { Logger } from '@pgwarden/core';
import type { LogFormat } from '../config/local-config.js';
import { RotatingLogFile, type RotatingFileOptions } from './log-file.js';
import { compilePlain, jsonFields, renderCompiled, renderJson, type PlainFormat } from './log-format.js';

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

const RANK: Record<LogLevelName, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

export const DEFAULT_LINE_FORMAT = '%(asctime)s %(levelname)s: %(message)s';

/** Everything the `log:` section (and `--log-format`) decides; all but write can change on reload. */
export interface LogSettings {
  readonly format: 'plain' | 'json';
  /** patroni.yml spellings: WARN = WARNING, FATAL = CRITICAL. */
  readonly level: string;
  readonly staticFields?: Readonly<Record<string, unknown>>;
  /** `log.format`: a %-format, or json field names. */
  readonly lineFormat?: LogFormat;
  readonly dateformat?: string;
  /** `log.dir` with `file_size` and `file_num`; absent: stderr. */
  readonly file?: RotatingFileOptions;
}

export interface LogOptions extends LogSettings {
  /** Where lines go without `log.dir` (stderr). */
  readonly write: (line: string) => void;
}

export interface DaemonLogger extends Logger {
  setLevel(level: string): void;
  critical(message: string, fields?: Record<string, unknown>): void;
  /** Applies a new `log:` section; throws (keeping the old one) when log.dir cannot be opened. */
  configure(settings: LogSettings): void;
  /** The open log file, if any. */
  readonly filePath: string | null;
  close(): void;
}

export function levelName(level: string): LogLevelName {
  const upper = level.toUpperCase();
  if (upper === 'WARN') return 'WARNING';
  if (upper === 'FATAL') return 'CRITICAL';
  return upper in RANK ? (upper as LogLevelName) : 'INFO';
}

function causeText(fields: Record<string, unknown> | undefined): string {
  const cause = fields?.['cause'];
  if (cause === undefined || cause === null) return '';
  const text = cause instanceof Error ? cause.message : String(cause);
  // A stack trace never replaces the message: only its first line goes on a plain line.
  return `: ${text.split('\n')[0]}`;
}

function sameFile(a: RotatingFileOptions | undefined, b: RotatingFileOptions | undefined): boolean {
  return a?.dir === b?.dir && a?.fileSize === b?.fileSize && a?.fileNum === b?.fileNum;
}

function openFile(options: RotatingFileOptions): RotatingLogFile {
  try {
    return new RotatingLogFile(options);
  } catch (error) {
    throw new Error(`log.dir = ${options.dir}: cannot open the log file: ${(error as Error).message}; create the directory or fix log.dir`);
  }
}

/** A plain line's format: `log.format` when it is a string (a list names json fields only). */
function plainFormatOf(settings: LogSettings): PlainFormat {
  const format = settings.lineFormat ?? DEFAULT_LINE_FORMAT;
  return compilePlain(typeof format === 'string' ? format : DEFAULT_LINE_FORMAT);
}

export function createLogger(options: LogOptions): DaemonLogger {
  let settings: LogSettings = options;
  let threshold = RANK[levelName(options.level)];
  let file: RotatingLogFile | null = options.file ? openFile(options.file) : null;
  let fields = jsonFields(options.lineFormat ?? DEFAULT_LINE_FORMAT);
  // Parsed once (and again on configure), not for every line: the HA loop logs one each cycle.
  let plain = plainFormatOf(options);

  const emit = (level: LogLevelName, message: string, extra?: Record<string, unknown>): void => {
    if (RANK[level] < threshold) return;
    const record = { levelname: level, levelno: RANK[level], message, created: new Date() };
    const line =
      settings.format === 'json'
        ? renderJson(fields, record, settings.dateformat, settings.staticFields ?? {}, extra)
        : `${renderCompiled(plain, record, settings.dateformat)}${causeText(extra)}`;
    if (file) file.write(`${line}\n`);
    else options.write(`${line}\n`);
  };

  return {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARNING', m, f),
    error: (m, f) => emit('ERROR', m, f),
    critical: (m, f) => emit('CRITICAL', m, f),
    setLevel: (level) => {
      threshold = RANK[levelName(level)];
    },
    configure: (next) => {
      if (!sameFile(settings.file, next.file)) {
        // Open the new file first: a failure keeps logging where it was.
        const opened = next.file ? openFile(next.file) : null;
        file?.close();
        file = opened;
      }
      settings = next;
      threshold = RANK[levelName(next.level)];
      fields = jsonFields(next.lineFormat ?? DEFAULT_LINE_FORMAT);
      plain = plainFormatOf(next);
    },
    get filePath() {
      return file?.path ?? null;
    },
    close: () => {
      file?.close();
      file = null;
    },
  };
}

/** The logger settings a validated `log:` section asks for; `--log-format` wins over `log.type`. */
export function logSettingsOf(log: {
  readonly type: 'plain' | 'json';
  readonly level: string;
  readonly format: LogFormat;
  readonly dateformat?: string;
  readonly staticFields: Readonly<Record<string, unknown>>;
  readonly dir?: string;
  readonly fileSize: number;
  readonly fileNum: number;
}, formatOverride?: 'plain' | 'json'): LogSettings {
  return {
    format: formatOverride ?? log.type,
    level: log.level,
    staticFields: log.staticFields,
    lineFormat: log.format,
    ...(log.dateformat !== undefined && { dateformat: log.dateformat }),
    ...(log.dir !== undefined && { file: { dir: log.dir, fileSize: log.fileSize, fileNum: log.fileNum } }),
  };
}
