/**
 * The benchmark's tables: a plain-text formatter, and the one table of `pnpm bench` with
 * every figure next to its target (and Patroni's figure and the ratio, with `--vs patroni`).
 */
import { METRICS, SCENARIOS, issuePatroniAt, type Metric } from './metrics.js';
import type { Step } from './plan.js';
import type { Results, Value } from './results.js';

/** Plain-text table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Judged on the figure as printed, so that "0.30 s" is never shown as missing "≤ 0.3 s". */
function meets(m: Metric, value: number): boolean {
  const shown = Number.parseFloat(m.format(value));
  return m.met(Number.isFinite(shown) ? shown : value);
}

const cell = (m: Metric, v: Value): string => v.shown ?? m.format(v.value);

export interface BenchTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** `<metric> [<timing>] <agent>: <detail>`, once per distinct detail. */
  readonly details: readonly string[];
}

/**
 * One row per metric and step that measures it, in METRICS order: a metric measured at two
 * timings gets two rows. A figure the step should have measured but did not is `error`.
 */
export function benchTable(steps: readonly Step[], results: Results, vsPatroni: boolean): BenchTable {
  const header = ['metric', 'pgwarden', 'target', 'met?', ...(vsPatroni ? ['patroni', 'ratio'] : []), 'Patroni earlier'];
  const rows: string[][] = [];
  const details: string[] = [];
  for (const m of METRICS) {
    for (const { timing, scenarios } of steps) {
      if (!scenarios.some((s) => (SCENARIOS[s] as readonly string[]).includes(m.id))) continue;
      const r = results.get(m.id, timing);
      const pw = r?.get('pgwarden');
      const pa = r?.get('patroni');
      // A target relative to Patroni is judged only when Patroni ran in this very run.
      const met = !pw ? '-' : m.relative !== undefined ? (pa ? (pw.value <= m.relative * pa.value ? 'yes' : 'NO') : '-') : meets(m, pw.value) ? 'yes' : 'NO';
      const row = [`${m.label} [${timing.label}]`, pw ? cell(m, pw) : 'error', m.target, met];
      if (vsPatroni) {
        const ratio = pw && pa && pa.value !== 0 && Number.isFinite(pw.value / pa.value) ? (pw.value / pa.value).toFixed(2) : '-';
        row.push(m.pgwardenOnly ? 'not run' : pa ? cell(m, pa) : 'error', m.pgwardenOnly ? '-' : ratio);
      }
      row.push(issuePatroniAt(m, timing));
      rows.push(row);
      // Metrics measured together share one detail line (req/s and p99, RSS and CPU).
      for (const [agent, v] of r ?? []) {
        const line = `[${timing.label}] ${agent}: ${v.detail}`;
        if (v.detail && !details.some((d) => d.endsWith(line))) details.push(`${m.label} ${line}`);
      }
    }
  }
  return { header, rows, details };
}

/** The table and its detail lines, as printed. */
export function renderBenchTable(t: BenchTable): string {
  return `${table(t.header, t.rows)}\n\nDetails:\n${t.details.map((d) => `  ${d}`).join('\n')}\n`;
}
