/**
 * Rendering one log record the way Python's logging does for Patroni: `log.format` is a
 * %-style format (`%(asctime)s %(levelname)s: %(message)s`) for plain logs; for json logs
 * it names the fields (the placeholders of that string, or a list of names and
 * `{field: rename}` maps). `log.dateformat` is a strftime pattern for `asctime`.
 */
import type { LogFormat } from '../config/local-config.js';

export interface LogRecord {
  readonly levelname: string;
  readonly levelno: number;
  readonly message: string;
  readonly created: Date;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p = (n: number, w = 2): string => String(n).padStart(w, '0');

function tzOffset(d: Date): string {
  const m = -d.getTimezoneOffset();
  return `${m >= 0 ? '+' : '-'}${p(Math.trunc(Math.abs(m) / 60))}${p(Math.abs(m) % 60)}`;
}

/** strftime for the directives log formats use; unknown ones stay as written. */
export function strftime(d: Date, pattern: string): string {
  return pattern.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'Y': return String(d.getFullYear());
      case 'y': return p(d.getFullYear() % 100);
      case 'm': return p(d.getMonth() + 1);
      case 'd': return p(d.getDate());
      case 'H': return p(d.getHours());
      case 'I': return p(d.getHours() % 12 || 12);
      case 'M': return p(d.getMinutes());
      case 'S': return p(d.getSeconds());
      case 'f': return p(d.getMilliseconds() * 1000, 6);
      case 'p': return d.getHours() < 12 ? 'AM' : 'PM';
      case 'a': return DAYS[d.getDay()]!;
      case 'b': return MONTHS[d.getMonth()]!;
      case 'j': return p(Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86_400_000) + 1, 3);
      case 'z': return tzOffset(d);
      case 'Z': return Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? '';
      case '%': return '%';
      default: return all;
    }
  });
}

/** Python's asctime: `2024-06-17 10:00:00,123` in local time, or `dateformat` when set. */
export function asctime(d: Date, dateformat?: string): string {
  if (dateformat) return strftime(d, dateformat);
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/** The LogRecord attributes a format may name. */
function attributes(r: LogRecord, dateformat: string | undefined): Record<string, string | number> {
  return {
    asctime: asctime(r.created, dateformat),
    levelname: r.levelname,
    levelno: r.levelno,
    message: r.message,
    msg: r.message,
    name: 'patroni',
    process: process.pid,
    processName: 'MainProcess',
    thread: 0,
    threadName: 'MainThread',
    created: r.created.getTime() / 1000,
    msecs: r.created.getMilliseconds(),
    module: 'pgwarden',
    filename: 'pgwarden',
    funcName: '',
    lineno: 0,
  };
}

const PLACEHOLDER = /%\((\w+)\)([-#0 +]*)(\d*)(?:\.(\d+))?([sdifr])|%%/g;

export function renderPlain(format: string, r: LogRecord, dateformat?: string): string {
  const attrs = attributes(r, dateformat);
  return format.replace(PLACEHOLDER, (all, name: string | undefined, flags: string, width: string, precision: string | undefined, conv: string) => {
    if (all === '%%') return '%';
    const value = attrs[name!];
    if (value === undefined) return all;
    let text = conv === 'd' || conv === 'i' ? String(Math.trunc(Number(value))) : conv === 'f' ? Number(value).toFixed(precision ? Number(precision) : 6) : String(value);
    if (conv === 's' && precision) text = text.slice(0, Number(precision));
    const w = Number(width || 0);
    return flags.includes('-') ? text.padEnd(w) : text.padStart(w);
  });
}

/** The json keys a format asks for, as [attribute, key] pairs. */
export function jsonFields(format: LogFormat): [string, string][] {
  if (typeof format === 'string') {
    const names = [...format.matchAll(/%\((\w+)\)/g)].map((m) => m[1]!);
    return (names.length ? names : ['asctime', 'levelname', 'message']).map((n) => [n, n]);
  }
  return format.map((item) => (typeof item === 'string' ? [item, item] : (Object.entries(item)[0] as [string, string])));
}

export function renderJson(
  fields: readonly [string, string][],
  r: LogRecord,
  dateformat: string | undefined,
  staticFields: Readonly<Record<string, unknown>>,
  extra: Readonly<Record<string, unknown>> | undefined,
): string {
  const attrs = attributes(r, dateformat);
  const record: Record<string, unknown> = {};
  for (const [attr, key] of fields) record[key] = attrs[attr] ?? null;
  Object.assign(record, staticFields);
  for (const [k, v] of Object.entries(extra ?? {})) record[k] = v instanceof Error ? v.message : v;
  return JSON.stringify(record);
}
