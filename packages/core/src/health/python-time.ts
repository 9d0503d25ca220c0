/**
 * Timestamps the way Patroni's JSON shows them. `str(datetime)` uses a space between date
 * and time (`2023-08-18 11:03:37.966359+00:00`); `isoformat()` uses `T`. Microseconds are
 * printed only when non-zero. pgwarden always reports UTC.
 */
function parts(epochSeconds: number): { date: string; time: string; micros: string } {
  const wholeMs = Math.floor(epochSeconds * 1000);
  const iso = new Date(wholeMs).toISOString(); // 2023-08-18T11:03:37.966Z
  let micro = Math.round((epochSeconds - Math.floor(epochSeconds)) * 1e6);
  if (micro >= 1e6) micro = 999_999;
  return { date: iso.slice(0, 10), time: iso.slice(11, 19), micros: micro ? `.${String(micro).padStart(6, '0')}` : '' };
}

export function pythonDatetimeStr(epochSeconds: number): string {
  const p = parts(epochSeconds);
  return `${p.date} ${p.time}${p.micros}+00:00`;
}

export function pythonIsoformat(epochSeconds: number): string {
  const p = parts(epochSeconds);
  return `${p.date}T${p.time}${p.micros}+00:00`;
}
