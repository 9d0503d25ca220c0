/**
 * Scheduled times for `/restart` (`schedule`) and `/switchover` (`scheduled_at`): an
 * ISO 8601 timestamp that must carry a timezone and lie in the future. Patroni accepts
 * anything `dateutil` parses; pgwarden accepts ISO 8601 (`T` or a space between date and
 * time, optional seconds and fraction, `Z` or `±HH[:MM]`), which is what patronictl sends.
 */
export type ScheduleResult =
  | { readonly ok: true; readonly epochMs: number; /** Normalised ISO 8601, keeping the client's offset. */ readonly iso: string }
  | { readonly ok: false; readonly status: 400 | 422; readonly message: string };

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function parseSchedule(value: unknown, action: string, nowMs: number): ScheduleResult {
  const unparsable: ScheduleResult = {
    ok: false,
    status: 422,
    message: 'Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601',
  };
  if (typeof value !== 'string') return unparsable;
  const m = ISO_RE.exec(value.trim());
  if (!m) return unparsable;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return unparsable;
  if (!zone) return { ok: false, status: 400, message: `Timezone information is mandatory for the scheduled ${action}` };

  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === null) return unparsable;
  const micros = Number((frac + '000000').slice(0, 6));
  const localMs = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(micros / 1000));
  const check = new Date(localMs);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return unparsable; // 31 February
  const epochMs = localMs - offsetMinutes * 60_000;
  if (epochMs < nowMs) return { ok: false, status: 422, message: `Cannot schedule ${action} in the past` };

  const two = (n: number): string => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const fraction = micros ? `.${String(micros).padStart(6, '0')}` : '';
  const iso = `${y}-${mo}-${d}T${two(hour)}:${two(minute)}:${two(second)}${fraction}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  return { ok: true, epochMs, iso };
}

function zoneOffsetMinutes(zone: string): number | null {
  if (zone.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 23 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}
