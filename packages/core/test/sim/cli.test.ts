import { describe, expect, it } from 'vitest';
import { main, parseArgs, replayCommand } from '../../sim/cli.js';

describe('sim CLI', () => {
  it('parses seeds, agent and a schedule to replay', () => {
    const args = parseArgs(['--seeds', '3..5', '--agent', 'scripted', '--sync', '--schedule', '[{"at":1000,"fault":{"kind":"crash-postgres","node":"node1"}}]']);
    expect(args).toMatchObject({ seeds: [3, 4, 5], agent: 'scripted', sync: true, schedule: [{ at: 1000 }] });
    expect(parseArgs(['--agent', 'nope'])).toMatch(/unknown agent/);
    expect(parseArgs(['--faults', 'meteor'])).toMatch(/fault kinds/);
    expect(parseArgs(['--strict', '--nofailover', 'draw'])).toMatchObject({ sync: true, strict: true, nofailover: 'draw' });
  });

  it('selects the fence, the physical models and worker threads; replays carry them', () => {
    const args = parseArgs(['--seed', '4', '--no-fence', '--no-bursts', '--jobs', '2', '--digest']);
    if (typeof args === 'string') throw new Error(args);
    expect(args).toMatchObject({ fence: false, jobs: 2, digest: true, models: { bursts: false } });
    expect(args.models.dcsLatency).not.toBe(false);
    expect(replayCommand(args, 4, [])).toBe("node sim/dist/cli.js --seed 4 --agent engine --no-fence --no-bursts --schedule '[]' --verbose");
    expect(parseArgs(['--classic'])).toMatchObject({ models: { dcsLatency: false, bandwidth: false, bursts: false } });
    expect(parseArgs(['--jobs', '0'])).toMatch(/--jobs takes a whole number/);
    expect(parseArgs(['--no-fence', '--agent', 'scripted'])).toMatch(/--no-fence works with --agent engine only/);
  });

  it('--digest: the same seeds give the same digest, other models another', async () => {
    const digest = async (...flags: string[]) => {
      const lines: string[] = [];
      await main(['--seeds', '1..2', '--duration', '180', '--digest', ...flags], (l) => lines.push(l));
      return lines.at(-1)!;
    };
    const first = await digest();
    expect(first).toMatch(/^event-log digest of 2 seeds: [0-9a-f]{64} \(\d+ steps\)$/);
    expect(await digest()).toBe(first);
    expect(await digest('--classic')).not.toBe(first);
  }, 60_000);

  it('prints a replayable report and exits 1 when a run fails', async () => {
    const lines: string[] = [];
    const code = await main(['--seed', '2', '--agent', 'scripted-broken'], (l) => lines.push(l));
    expect(code).toBe(1);
    const report = lines.join('\n');
    expect(report).toContain('simulation FAILED — seed 2');
    expect(report).toMatch(/violated (two-writers|writer-past-lease)/);
    expect(report).toContain("node sim/dist/cli.js --seed 2 --agent scripted-broken --schedule '[");
  });

  it('exits 0 when every seed passes', async () => {
    const lines: string[] = [];
    expect(await main(['--seeds', '1..2', '--agent', 'scripted', '--duration', '200'], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(/^2\/2 seeds passed, 0 with violations; [\d.]+ seeds\/s .*fence-covered instants: 0$/);
    const args = parseArgs(['--seed', '9']);
    if (typeof args === 'string') throw new Error(args);
    expect(replayCommand(args, 9, [])).toBe("node sim/dist/cli.js --seed 9 --agent engine --schedule '[]' --verbose");
  });

  it('runs the mutation suite with --mutations [N] (--bug picks some) and prints the table', async () => {
    expect(parseArgs(['--mutations'])).toMatchObject({ mutations: 'ci' });
    expect(parseArgs(['--mutations', '50', '--bug', 'lowest-wal-wins,late-guard-arm'])).toMatchObject({ mutations: 50, bugs: ['lowest-wal-wins', 'late-guard-arm'] });
    expect(parseArgs(['--mutations', '--bug', 'nope'])).toMatch(/planted bugs:/);
    const lines: string[] = [];
    expect(await main(['--mutations', '5', '--bug', 'strict-forgets-star'], (l) => lines.push(l))).toBe(0);
    expect(lines.some((l) => /^\| strict-forgets-star \| 1 \| strict-sync-ack \| 5\/5 \| [\d.]+ \| clean \|$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^1\/1 planted bugs caught/);
  });
});
