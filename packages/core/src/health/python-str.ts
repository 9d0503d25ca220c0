/**
 * Python's `str()` of a JSON value. Patroni compares tag values and config values
 * through `str()`, so `True` and `"True"` are equal there; pgwarden does the same to
 * give the same answers. Floats that are whole print as `1.0` in Python, but JSON has
 * lost that distinction by the time we see the value, so they print as `1`.
 */
export function pythonStr(value: unknown): string {
  return render(value, false);
}

function render(value: unknown, nested: boolean): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') return nested ? pythonRepr(value) : value;
  if (Array.isArray(value)) return `[${value.map((v) => render(v, true)).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonRepr(k)}: ${render(v, true)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(value);
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const escaped = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/**
 * Python's float `repr` as Prometheus samples show it: whole values keep `.0`
 * (`1692356617.0`), so a dashboard sees the same text from pgwarden and Patroni.
 */
export function pythonFloat(n: number): string {
  const s = pythonNumber(n);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}
