/**
 * A unified diff of two texts, shaped like Python's difflib.unified_diff with no file
 * names (`--- `, `+++ `, `@@ -a,b +c,d @@`, three lines of context). The configs are
 * small, so a plain LCS table is enough.
 */
type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function ops(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push({ kind: ' ', line: a[i]!, a: i++, b: j++ });
    else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push({ kind: '+', line: b[j]!, a: i, b: j++ });
    else out.push({ kind: '-', line: a[i]!, a: i++, b: j });
  }
  // difflib lists deletions before insertions within a change.
  for (let k = 0; k < out.length; ) {
    let e = k;
    while (e < out.length && out[e]!.kind !== ' ') e++;
    if (e > k) out.splice(k, e - k, ...out.slice(k, e).filter((o) => o.kind === '-'), ...out.slice(k, e).filter((o) => o.kind === '+'));
    k = e + 1;
  }
  return out;
}

function range(start: number, length: number): string {
  const first = start + 1;
  if (length === 1) return `${first}`;
  if (length === 0) return `${start},0`;
  return `${first},${length}`;
}

export function unifiedDiff(before: string, after: string, context = 3): string[] {
  const listify = (s: string): string[] => s.replace(/\n+$/, '').split('\n');
  const all = ops(listify(before), listify(after));
  const changed = all.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (!changed.length) return [];
  const groups: [number, number][] = [];
  for (const k of changed) {
    const lo = Math.max(0, k - context);
    const hi = Math.min(all.length - 1, k + context);
    const last = groups[groups.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else groups.push([lo, hi]);
  }
  const out = ['--- ', '+++ '];
  for (const [lo, hi] of groups) {
    const slice = all.slice(lo, hi + 1);
    const aLen = slice.filter((o) => o.kind !== '+').length;
    const bLen = slice.filter((o) => o.kind !== '-').length;
    const aStart = slice[0]!.a;
    const bStart = slice[0]!.b;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of slice) out.push(o.kind + o.line);
  }
  return out;
}
