import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/args.js';
import { FAST_PROFILE } from '../../bench/fast-profile.js';
import { FAST, SLOW } from '../../bench/metrics.js';
import { plan } from '../../bench/plan.js';

const planFor = (...argv: string[]) => plan(parseArgs(argv).scenarios);

describe('what pnpm bench runs', () => {
  it('by default: both classic clusters with every failure scenario, then fast, fleet and soak', () => {
    const steps = planFor();
    expect(steps.map((s) => s.kind)).toEqual(['cluster', 'cluster', 'fast', 'fleet', 'soak']);
    expect(steps[0]!.timing).toBe(SLOW);
    expect(steps[1]!.timing).toBe(FAST);
    for (const s of steps.slice(0, 2)) expect(s.scenarios).toEqual(expect.arrayContaining(['start', 'idle', 'switchover', 'postmaster-kill', 'host-loss']));
    expect(steps[0]!.scenarios).toEqual(expect.arrayContaining(['get-primary', 'tail']));
    expect(steps[2]).toMatchObject({ timing: FAST_PROFILE, scenarios: ['fast'] });
    expect(steps[4]).toMatchObject({ timing: FAST_PROFILE, scenarios: ['soak'] });
  });

  it('--quick keeps every scenario at both timings (it shortens, it does not drop)', () => {
    expect(planFor('--quick')).toEqual(planFor());
  });

  it('--only fleet runs the fleet sweep and nothing else', () => {
    expect(planFor('--only', 'fleet')).toEqual([expect.objectContaining({ kind: 'fleet', scenarios: ['fleet'] })]);
  });

  it('a classic scenario alone still starts (and times) its clusters', () => {
    const steps = planFor('--only', 'postmaster-kill');
    expect(steps.map((s) => [s.timing.label, s.scenarios])).toEqual([
      [SLOW.label, ['start', 'postmaster-kill']],
      [FAST.label, ['start', 'postmaster-kill']],
    ]);
  });

  it('--skip leaves out the long ones', () => {
    expect(planFor('--skip', 'soak,fleet,fast').map((s) => s.kind)).toEqual(['cluster', 'cluster']);
    expect(planFor('--skip', 'soak').map((s) => s.kind)).toEqual(['cluster', 'cluster', 'fast', 'fleet']);
  });
});
