/**
 * `promtool check metrics`: Prometheus' own linter for an exposition body (names,
 * HELP/TYPE, counters ending in _total…). It exits 0 with no output when the body is
 * clean, and prints one line per problem otherwise.
 */
import { spawnSync } from 'node:child_process';

export const PROMTOOL_HINT =
  "promtool is missing: `apt-get download prometheus && dpkg-deb -x prometheus_*.deb x && cp x/usr/bin/promtool /usr/local/bin/` (.ci/run does this)";

/**
 * Patroni's own counters are named without `_total`; dashboards and alerts built for
 * Patroni query these names, so pgwarden keeps them and promtool's naming lint on them
 * is expected. Every other finding is a problem.
 */
const PATRONI_NAMES_KEPT = new Set(['patroni_postgres_timeline', 'patroni_xlog_location', 'patroni_xlog_received_location', 'patroni_xlog_replayed_location']);

function isKeptPatroniName(line: string): boolean {
  const m = /^(\S+) counter metrics should have "_total" suffix$/.exec(line);
  return m !== null && PATRONI_NAMES_KEPT.has(m[1]!);
}

/** The problems promtool reports for `body`, less the lint on Patroni's kept names (empty when it passes). */
export function promtoolProblems(body: string): string[] {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new Error(`${PROMTOOL_HINT} (${result.error.message})`);
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  if (result.status !== 0 && lines.length === 0) lines.push(`promtool exited ${result.status}`);
  return result.status === 0 ? [] : lines.filter((l) => !isKeptPatroniName(l));
}
