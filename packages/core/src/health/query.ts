/**
 * A query string as Patroni's `parse_qs` sees it: every value of each key, in order,
 * with blank values dropped (`?lag=` is as if `lag` were absent).
 */
export type HealthQuery = Readonly<Record<string, readonly string[]>>;

export function parseQuery(search: string): HealthQuery {
  const out: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(search.startsWith('?') ? search.slice(1) : search)) {
    if (value === '') continue;
    (out[key] ??= []).push(value);
  }
  return out;
}

export function firstValue(query: HealthQuery, key: string): string | undefined {
  return Object.hasOwn(query, key) ? query[key]?.[0] : undefined;
}
