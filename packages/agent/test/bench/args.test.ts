import { describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, parseArgs } from '../../bench/args.js';
import { SCENARIO_NAMES } from '../../bench/metrics.js';

describe('pnpm bench arguments', () => {
  it('runs every scenario by default, the fast profile, the fleet and the soak included', () => {
    const args = parseArgs([]);
    expect(args.scenarios).toEqual(SCENARIO_NAMES);
    expect(args.scenarios).toEqual(expect.arrayContaining(['fast', 'fleet', 'soak', 'start', 'switchover', 'postmaster-kill', 'host-loss', 'get-primary', 'idle', 'tail']));
    expect(args).toMatchObject({ vsPatroni: false, quick: false, ...BENCH_DEFAULTS.full });
  });

  it('--only selects, --skip removes, both in the canonical order', () => {
    expect(parseArgs(['--only', 'fleet']).scenarios).toEqual(['fleet']);
    expect(parseArgs(['--only=soak,switchover']).scenarios).toEqual(['switchover', 'soak']);
    const skipped = parseArgs(['--skip', 'soak,fleet']).scenarios;
    expect(skipped).not.toContain('soak');
    expect(skipped).not.toContain('fleet');
    expect(skipped).toContain('fast');
    expect(parseArgs(['--only', 'fast,soak', '--skip', 'soak']).scenarios).toEqual(['fast']);
  });

  it('names the unknown scenario, and refuses a selection that leaves nothing', () => {
    expect(() => parseArgs(['--only', 'fleet,sok'])).toThrow(/--only sok: unknown scenario; known: .*soak/);
    expect(() => parseArgs(['--skip', 'fleets'])).toThrow(/--skip fleets: unknown scenario/);
    expect(() => parseArgs(['--only', 'soak', '--skip', 'soak'])).toThrow(/leaves no scenario to run/);
  });

  it('--quick shortens the soak, the fleet sweep and the rounds; explicit flags win', () => {
    expect(parseArgs(['--quick'])).toMatchObject({ quick: true, ...BENCH_DEFAULTS.quick });
    expect(BENCH_DEFAULTS.quick.soakMinutes).toBeLessThan(BENCH_DEFAULTS.full.soakMinutes);
    const a = parseArgs(['--quick', '--soak-minutes', '0.5', '--fleet-steps', '2,4', '--fast-rounds=2', '--idle-seconds', '300']);
    expect(a).toMatchObject({ soakMinutes: 0.5, fleetSteps: [2, 4], fastRounds: 2, idleWindowS: 300 });
  });

  it('rejects bad lengths, steps and rounds with the flag named', () => {
    expect(() => parseArgs(['--soak-minutes', '0'])).toThrow(/--soak-minutes must be a positive number/);
    expect(() => parseArgs(['--soak-minutes', 'ten'])).toThrow(/--soak-minutes must be a positive number/);
    expect(() => parseArgs(['--fleet-steps', '10,5'])).toThrow(/--fleet-steps needs increasing whole numbers/);
    expect(() => parseArgs(['--fast-rounds', '0'])).toThrow(/--fast-rounds must be a whole number ≥ 1/);
    expect(() => parseArgs(['--idle-seconds', '2'])).toThrow(/--idle-seconds must be a whole number ≥ 5/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument --bogus/);
  });

  it('lists every scenario name and the new flags in the usage', () => {
    let usage = '';
    try {
      parseArgs(['--help']);
    } catch (e) {
      usage = (e as Error).message;
    }
    for (const n of SCENARIO_NAMES) expect(usage).toContain(n);
    for (const f of ['--only', '--skip', '--soak-minutes', '--fleet-steps', '--fast-rounds', '--idle-seconds', '--quick', '--vs patroni']) expect(usage).toContain(f);
  });

  it('names the missing Patroni binary and how to get it', () => {
    expect(() => parseArgs(['--vs', 'patroni', '--patroni-bin', '/nonexistent/patroni'])).toThrow(/\/nonexistent\/patroni not found; install .*apt-get install -y patroni/);
  });
});
