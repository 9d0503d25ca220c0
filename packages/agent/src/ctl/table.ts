/**
 * The text table patronictl prints (PrettyTable with a frame): one space of padding,
 * per-column alignment applied to the header too, multi-line cells top-aligned, and a
 * rule between rows only when some cell spans lines. The optional title replaces the
 * start of the top rule: `+ Cluster: batman (7381…) ---+------+`.
 */
export type Align = 'l' | 'r' | 'c';

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

function pad(text: string, width: number, align: Align): string {
  const gap = width - [...text].length;
  if (gap <= 0) return text;
  if (align === 'r') return ' '.repeat(gap) + text;
  if (align === 'c') {
    const left = Math.floor(gap / 2);
    return ' '.repeat(left) + text + ' '.repeat(gap - left);
  }
  return text + ' '.repeat(gap);
}

export function renderTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: { align?: Readonly<Record<string, Align>>; title?: string } = {},
): string {
  const cells = rows.map((r) => r.map((v) => cellText(v).split('\n')));
  const widths = columns.map((c, i) => Math.max([...c].length, ...cells.map((r) => Math.max(...(r[i] ?? ['']).map((l) => [...l].length)))));
  const alignOf = (i: number): Align => options.align?.[columns[i]!] ?? 'l';
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (parts: readonly string[]): string => '| ' + parts.map((p, i) => pad(p, widths[i]!, alignOf(i))).join(' | ') + ' |';
  const multiline = cells.some((r) => r.some((c) => c.length > 1));
  let top = rule;
  if (options.title) {
    const title = options.title.slice(0, rule.length - 2);
    top = rule[0] + title + rule.slice(1 + title.length);
  }
  const out = [top, line(columns), rule];
  cells.forEach((r, index) => {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(columns.map((_, i) => r[i]?.[k] ?? '')));
    if (multiline && index < cells.length - 1) out.push(rule);
  });
  out.push(rule);
  return out.join('\n');
}
