/**
 * Patroni's `print_output`: one table in the chosen format. json/yaml are a list of
 * objects keyed by column title (empty values dropped when there is a title); tsv
 * keeps every column; pretty/topology drop the leading Cluster column and put the
 * cluster in the title. Member tags become YAML (block in pretty, flow elsewhere).
 */
import { cellText, renderTable, type Align } from './table.js';
import { formatYaml } from './yaml-format.js';

export const FORMATS = ['pretty', 'tsv', 'json', 'yaml', 'yml'] as const;
export type Format = (typeof FORMATS)[number] | 'topology';

/** Python's json.dumps default separators: `, ` and `: `. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function formatOutput(
  columns: readonly string[],
  rows: unknown[][],
  options: { align?: Readonly<Record<string, Align>>; format?: Format; title?: string; delimiter?: string } = {},
): string {
  const fmt = options.format ?? 'pretty';
  const title = options.title ?? '';
  if (fmt === 'json' || fmt === 'yaml' || fmt === 'yml') {
    const elements = rows.map((r) => {
      const o: Record<string, unknown> = {};
      columns.forEach((c, i) => {
        if (!title || cellText(r[i]) !== '') o[c] = r[i];
      });
      return o;
    });
    return fmt === 'json' ? pythonJson(elements) : formatYaml(elements); // echo adds a blank line after YAML, as click does
  }
  let cols = [...columns];
  let body = rows.map((r) => [...r]);
  const listCluster = Boolean(title && cols[0] === 'Cluster');
  const tagsAt = cols.indexOf('Tags');
  if (listCluster && tagsAt >= 0) {
    for (const r of body) if (r[tagsAt]) r[tagsAt] = formatYaml(r[tagsAt], fmt !== 'pretty').trim();
  }
  if (listCluster && fmt !== 'tsv') {
    cols = cols.slice(1);
    body = body.map((r) => r.slice(1));
  }
  if (fmt === 'tsv') {
    const d = options.delimiter ?? '\t';
    return [...(cols.length ? [cols] : []), ...body].map((r) => r.map(cellText).join(d)).join('\n');
  }
  return renderTable(cols, body, { ...(options.align && { align: options.align }), title });
}
