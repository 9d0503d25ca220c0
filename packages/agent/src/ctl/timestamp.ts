/**
 * Times as patronictl prints and reads them: `2024-06-17 10:11:12.12345` (local time,
 * microseconds cut to five digits, as Python's `[:-1]` slice leaves them), and
 * `--scheduled` values (`now`, or ISO 8601; a time without zone is local time).
 */
import { CtlError } from './errors.js';

const p2 = (n: number): string => String(n).padStart(2, '0');

export function ctlTimestamp(precision = 6, date = new Date()): string {
  const micros = `${String(date.getMilliseconds()).padStart(3, '0')}000`;
  const full = `${date.getFullYear()}-${p2(date.getMonth() + 1)}-${p2(date.getDate())} ${p2(date.getHours())}:${p2(date.getMinutes())}:${p2(date.getSeconds())}.${micros}`;
  return full.slice(0, full.length + precision - 7); // Python's [:precision - 7]
}

/** Local time with its offset, as Python's `isoformat()` of an aware datetime. */
export function isoLocal(date: Date): string {
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const ms = date.getMilliseconds();
  const frac = ms ? `.${String(ms).padStart(3, '0')}000` : '';
  return `${date.getFullYear()}-${p2(date.getMonth() + 1)}-${p2(date.getDate())}T${p2(date.getHours())}:${p2(date.getMinutes())}:${p2(date.getSeconds())}${frac}${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
}

/** `YYYY-mm-ddTHH:MM` one hour from now, the example patronictl's prompts show. */
export function nextHourExample(): string {
  const d = new Date(Date.now() + 3600_000);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

/** null for `now` or nothing; else an ISO 8601 string with an offset. */
export function parseScheduled(text: string | undefined): string | null {
  if (text === undefined || (text || 'now') === 'now') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  const fail = (): never => {
    throw new CtlError(`Unable to parse scheduled timestamp (${text}). It should be in an unambiguous format (e.g. ISO 8601)`);
  };
  if (!m) return fail();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = m;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  if (zone) {
    const z = zone.toUpperCase() === 'Z' ? '+00:00' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
    if (Number.isNaN(Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${z}`))) fail();
    return `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac.padEnd(6, '0').slice(0, 6)}` : ''}${z}`;
  }
  const local = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number.isNaN(local.getTime())) fail();
  return isoLocal(local);
}
