import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { scriptedAgent } from '../../sim/agents/scripted-agent.js';
import { runSimulation } from '../../sim/runner.js';

describe('replay', () => {
  it.each([
    ['scripted', scriptedAgent],
    ['engine', () => engineAgent()],
  ])('the same seed gives the identical event log (%s agent)', async (_name, agent) => {
    const a = await runSimulation({ seed: 4242, agent: agent(), synchronousMode: true });
    const b = await runSimulation({ seed: 4242, agent: agent(), synchronousMode: true });
    expect(a.schedule.length).toBeGreaterThan(0);
    expect(b.log).toEqual(a.log);
    expect(b.stats).toEqual(a.stats);
    const other = await runSimulation({ seed: 4243, agent: agent(), synchronousMode: true });
    expect(other.log).not.toEqual(a.log);
  });

  it('a printed schedule replays exactly (the JSON round-trips)', async () => {
    const first = await runSimulation({ seed: 77, agent: engineAgent() });
    const schedule = JSON.parse(JSON.stringify(first.schedule));
    const replay = await runSimulation({ seed: 77, agent: engineAgent(), schedule });
    expect(replay.log).toEqual(first.log);
  });
});
