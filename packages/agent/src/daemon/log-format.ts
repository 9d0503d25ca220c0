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

/**
 * One LogRecord attribute a format may name, or undefined for a name Python's logging
 * does not know. Computed on demand: a line computes only what its format shows (the
 * default format: asctime, levelname, message), not every attribute each time.
 */
function attribute(name: string, r: LogRecord, dateformat: string | undefined): string | number | undefined {
  switch (name) {
    case 'asctime': return asctime(r.created, dateformat);
    case 'levelname': return r.levelname;
    case 'levelno': return r.levelno;
    case 'message':
    case 'msg': return r.message;
    case 'name': return 'patroni';
    case 'process': return process.pid;
    case 'processName': return 'MainProcess';
    case 'thread': return 0;
    case 'threadName': return 'MainThread';
    case 'created': return r.created.getTime() / 1000;
    case 'msecs': return r.created.getMilliseconds();
    case 'module':
    case 'filename': return 'pgwarden';
    case 'funcName': return '';
    case 'lineno': return 0;
    default: return undefined;
  }
}

const PLACEHOLDER = /%\((\w+)\)([-#0 +]*)(\d*)(?:\.(\d+))?([sdifr])|%%/g;

interface Placeholder {
  readonly text: string;
  readonly name: string;
  readonly left: boolean;
  readonly width: number;
  readonly precision: string | undefined;
  readonly conv: string;
}

/** A plain format split once into literal text and placeholders. */
export type PlainFormat = readonly (string | Placeholder)[];

export function compilePlain(format: string): PlainFormat {
  const parts: (string | Placeholder)[] = [];
  let at = 0;
  for (const m of format.matchAll(PLACEHOLDER)) {
    if (m.index > at) parts.push(format.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[0] === '%%') parts.push('%');
    else parts.push({ text: m[0], name: m[1]!, left: m[2]!.includes('-'), width: Number(m[3] || 0), precision: m[4], conv: m[5]! });
  }
  if (at < format.length) parts.push(format.slice(at));
  return parts;
}

function placeholderText(p: Placeholder, r: LogRecord, dateformat: string | undefined): string {
  const value = attribute(p.name, r, dateformat);
  if (value === undefined) return p.text;
  let text = p.conv === 'd' || p.conv === 'i' ? String(Math.trunc(Number(value))) : p.conv === 'f' ? Number(value).toFixed(p.precision ? Number(p.precision) : 6) : String(value);
  if (p.conv === 's' && p.precision) text = text.slice(0, Number(p.precision));
  return p.left ? text.padEnd(p.width) : text.padStart(p.width);
}

/** Renders a record with a format compiled by compilePlain (the logger compiles its format once). */
export function renderCompiled(format: PlainFormat, r: LogRecord, dateformat?: string): string {
  let line = '';
  for (const part of format) line += typeof part === 'string' ? part : placeholderText(part, r, dateformat);
  return line;
}

export function renderPlain(format: string, r: LogRecord, dateformat?: string): string {
  return renderCompiled(compilePlain(format), r, dateformat);
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
  const record: Record<string, unknown> = {};
  for (const [attr, key] of fields) record[key] = attribute(attr, r, dateformat) ?? null;
  Object.assign(record, staticFields);
  for (const [k, v] of Object.entries(extra ?? {})) record[k] = v instanceof Error ? v.message : v;
  return JSON.stringify(record);
}
