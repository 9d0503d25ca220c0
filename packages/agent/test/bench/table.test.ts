import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/args.js';
import { DEFAULT_PROFILE, FAST_PROFILE } from '../../bench/fast-profile.js';
import { FAST, METRICS, SCENARIOS, SLOW } from '../../bench/metrics.js';
import { plan } from '../../bench/plan.js';
import { Results } from '../../bench/results.js';
import { benchTable, renderBenchTable } from '../../bench/table.js';

const rowOf = (rows: readonly (readonly string[])[], label: string) => rows.find((r) => r[0] === label);

describe('the one table of pnpm bench', () => {
  it('has a row for every metric, at every timing it is measured at, in the default run', () => {
    const t = benchTable(plan(parseArgs([]).scenarios), new Results(), true);
    for (const m of METRICS) expect(t.rows.some((r) => r[0]!.startsWith(`${m.label} [`)), m.id).toBe(true);
    for (const timing of [SLOW, FAST]) {
      for (const label of ['switchover → old primary streaming, healthy', 'postmaster SIGKILLed → cluster healthy again', 'agent RSS (largest of 3, idle)']) {
        expect(rowOf(t.rows, `${label} [${timing.label}]`), `${label} at ${timing.label}`).toBeDefined();
      }
    }
    expect(rowOf(t.rows, `fast profile: host loss → writable from the kill, median [${FAST_PROFILE.label}]`)).toBeDefined();
    expect(t.header).toEqual(['metric', 'pgwarden', 'target', 'met?', 'patroni', 'ratio', 'Patroni earlier']);
  });

  it('shows the figure, its target, whether it is met, Patroni and the ratio', () => {
    const results = new Results();
    results.record('fast-host-loss', FAST_PROFILE, 'pgwarden', { value: 7.5, detail: '3 rounds' });
    results.record('fast-host-loss', FAST_PROFILE, 'patroni', { value: 10 });
    results.record('switchover-healthy', SLOW, 'pgwarden', { value: 3.2 });
    const t = benchTable(plan(parseArgs(['--only', 'fast,switchover']).scenarios), results, true);
    expect(rowOf(t.rows, `fast profile: host loss → writable from the kill, median [${FAST_PROFILE.label}]`)).toEqual([
      `fast profile: host loss → writable from the kill, median [${FAST_PROFILE.label}]`,
      '7.50 s',
      '≤ 8 s',
      'yes',
      '10.00 s',
      '0.75',
      '7.9 s',
    ]);
    // Measured for pgwarden but not for Patroni: the Patroni cell says so.
    expect(rowOf(t.rows, 'switchover → old primary streaming, healthy [30/10/10]')!.slice(1, 6)).toEqual(['3.20 s', '≤ 2 s', 'NO', 'error', '-']);
    // Not measured at all.
    expect(rowOf(t.rows, 'switchover → old primary streaming, healthy [20/1/3]')!.slice(1, 4)).toEqual(['error', '≤ 2 s', '-']);
    expect(t.details).toContain(`fast profile: host loss → writable from the kill, median [${FAST_PROFILE.label}] pgwarden: 3 rounds`);
  });

  it('marks the soak and the fleet as pgwarden-only, and prints a value that carries its own text', () => {
    const results = new Results();
    results.record('soak-leader-changes', FAST_PROFILE, 'pgwarden', { value: 0 });
    results.record('soak-fence', FAST_PROFILE, 'pgwarden', { value: 2 });
    results.record('fleet-knee', DEFAULT_PROFILE, 'pgwarden', { value: Infinity, shown: 'none up to 50' });
    results.record('fleet-p99', DEFAULT_PROFILE, 'pgwarden', { value: 3000 });
    const t = benchTable(plan(parseArgs(['--only', 'soak,fleet']).scenarios), results, true);
    expect(t.rows).toHaveLength(SCENARIOS.soak.length + SCENARIOS.fleet.length);
    expect(rowOf(t.rows, 'soak: spurious leader changes (stress + DCS latency) [8/1/2]')!.slice(1, 6)).toEqual(['0', '0', 'yes', 'not run', '-']);
    expect(rowOf(t.rows, 'soak: fence actions (guard fired + fence warnings) [8/1/2]')![3]).toBe('NO');
    expect(rowOf(t.rows, 'fleet: clusters at which DCS p99 passes retry_timeout/4 [30/10/10]')!.slice(1, 4)).toEqual(['none up to 50', 'beyond the sweep', 'yes']);
    expect(rowOf(t.rows, 'fleet: DCS call p99, largest step [30/10/10]')!.slice(1, 4)).toEqual(['3000.0 ms', '≤ 2500 ms', 'NO']);
  });

  it('judges a target relative to Patroni by its multiple of Patroni in the same run', () => {
    const results = new Results();
    results.record('etcd-rps', SLOW, 'pgwarden', { value: 0.2 });
    results.record('etcd-rps', SLOW, 'patroni', { value: 0.35 });
    results.record('etcd-rps', FAST, 'pgwarden', { value: 2 });
    results.record('etcd-rps', FAST, 'patroni', { value: 3 });
    const t = benchTable(plan(parseArgs(['--only', 'idle']).scenarios), results, true);
    // At most half of Patroni's: 0.2 ≤ 0.175 is not met, 2 ≤ 1.5 neither; 0.57 and 0.67 are the ratios.
    expect(rowOf(t.rows, 'etcd requests/s, idle 3-node cluster [30/10/10]')!.slice(1, 6)).toEqual(['0.20/s', '≤ 0.5 × Patroni', 'NO', '0.35/s', '0.57']);
    results.record('etcd-rps', FAST, 'pgwarden', { value: 1.4 });
    const again = benchTable(plan(parseArgs(['--only', 'idle']).scenarios), results, true);
    expect(rowOf(again.rows, 'etcd requests/s, idle 3-node cluster [20/1/3]')![3]).toBe('yes');
    // Without Patroni in the run there is nothing to judge against.
    const pgwardenOnly = new Results();
    pgwardenOnly.record('etcd-rps', FAST, 'pgwarden', { value: 1.4 });
    const alone = benchTable(plan(parseArgs(['--only', 'idle']).scenarios), pgwardenOnly, false);
    expect(rowOf(alone.rows, 'etcd requests/s, idle 3-node cluster [20/1/3]')![3]).toBe('-');
  });

  it('leaves the Patroni columns out without --vs patroni', () => {
    const results = new Results();
    results.record('start', SLOW, 'pgwarden', { value: 3.5, detail: 'leader node1' });
    const t = benchTable(plan(parseArgs(['--only', 'start']).scenarios), results, false);
    expect(t.header).toEqual(['metric', 'pgwarden', 'target', 'met?', 'Patroni earlier']);
    const text = renderBenchTable(t);
    expect(text).toMatch(/\| start of 3 agents → 1 leader \+ 2 streaming \[30\/10\/10\] \| 3\.50 s +\| ≤ 4 s +\| yes +\| 9\.8 s +\|/);
    expect(text).toContain('Details:\n  start of 3 agents → 1 leader + 2 streaming [30/10/10] pgwarden: leader node1');
  });
});
