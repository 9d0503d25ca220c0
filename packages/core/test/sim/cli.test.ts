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

  it('prints a replayable report and exits 1 when a run fails', async () => {
    const lines: string[] = [];
    const code = await main(['--seed', '1', '--agent', 'scripted-broken'], (l) => lines.push(l));
    expect(code).toBe(1);
    const report = lines.join('\n');
    expect(report).toContain('simulation FAILED — seed 1');
    expect(report).toMatch(/violated (two-writers|writer-past-lease)/);
    expect(report).toContain("node sim/dist/cli.js --seed 1 --agent scripted-broken --schedule '[");
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
