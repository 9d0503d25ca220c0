import { joinPath } from '@pgwarden/core';
import { isRecord } from '../records.js';
import type { LogConfig, LogFormat } from '../local-config.js';
import type { SectionContext } from './context.js';

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL'] as const;
export const DEFAULT_LOG_FORMAT = '%(asctime)s %(levelname)s: %(message)s';

/** A string, or for json logs a non-empty list of field names or single `{field: rename}` maps. */
function checkFormat(ctx: SectionContext, value: unknown): LogFormat | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) {
    ctx.checker.issue('log.format', value, 'should be a string or a list of field names');
    return undefined;
  }
  if (value.length === 0) {
    ctx.checker.issue('log.format', value, 'should contain at least one item');
    return undefined;
  }
  const good = value.every(
    (item: unknown) => typeof item === 'string' || (isRecord(item) && Object.keys(item).length === 1 && typeof Object.values(item)[0] === 'string'),
  );
  if (!good) {
    ctx.checker.issue('log.format', value, 'each item should be a string or a dictionary with one string value, e.g. [asctime, {levelname: level}, message]');
    return undefined;
  }
  return value as LogFormat;
}

export function checkLog(ctx: SectionContext, value: unknown): LogConfig {
  const { checker } = ctx;
  const l = checker.record('log', value) ?? {};
  const at = (key: string): string => joinPath('log', key);
  const tracebackText = checker.string(at('traceback_level'), l.traceback_level);
  const tracebackLevel = tracebackText === undefined ? 'ERROR' : tracebackText.toUpperCase();
  if (tracebackLevel !== 'DEBUG' && tracebackLevel !== 'ERROR') checker.issue(at('traceback_level'), l.traceback_level, 'must be one of DEBUG, ERROR');
  const dateformat = checker.string(at('dateformat'), l.dateformat);
  const dir = checker.string(at('dir'), l.dir);
  return {
    type: checker.oneOf(at('type'), l.type, ['plain', 'json'] as const) ?? 'plain',
    level: checker.oneOf(at('level'), l.level, LEVELS) ?? 'INFO',
    tracebackLevel: tracebackLevel === 'DEBUG' ? 'DEBUG' : 'ERROR',
    format: checkFormat(ctx, l.format) ?? DEFAULT_LOG_FORMAT,
    ...(dateformat !== undefined && { dateformat }),
    staticFields: checker.record(at('static_fields'), l.static_fields) ?? {},
    maxQueueSize: checker.int(at('max_queue_size'), l.max_queue_size, { min: 1 }) ?? 1000,
    ...(dir !== undefined && { dir }),
    fileSize: checker.int(at('file_size'), l.file_size, { min: 1 }) ?? 25_000_000,
    fileNum: checker.int(at('file_num'), l.file_num, { min: 1 }) ?? 4,
    loggers: checker.record(at('loggers'), l.loggers) ?? {},
  };
}
