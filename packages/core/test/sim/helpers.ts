/** Helpers for driving the simulation by hand in tests. */
import { expect } from 'vitest';
import type { NodeAgent } from '../../sim/agent.js';
import type { PostgresModel } from '../../sim/postgres-model.js';
import { World, type WorldOptions } from '../../sim/world.js';

/** An agent that does nothing: the test drives Postgres itself. */
export const idleAgent = (): NodeAgent => ({ start() {} });

export function manualWorld(options: Partial<WorldOptions> = {}): World {
  return new World({ seed: 1, agentFactory: idleAgent, workload: false, ...options });
}

/** Runs the world until `work` settles (or fails the test after `maxMs` virtual ms). */
export async function until<T>(world: World, work: Promise<T>, maxMs = 300_000): Promise<T> {
  let settled = false;
  let value: T | undefined;
  void work.then((v) => {
    settled = true;
    value = v;
  });
  const end = world.clock.now() + maxMs;
  while (!settled && world.clock.now() < end) await world.runFor(50);
  if (!settled) throw new Error(`did not settle within ${maxMs} ms of virtual time`);
  return value as T;
}

export const up = (name: string) => ({ name, connUrl: `postgres://${name}:5432/postgres` });

/** node1 bootstrapped as the primary, the others cloned from it and streaming. */
export async function primaryWithReplicas(world: World): Promise<PostgresModel[]> {
  const models = world.nodes.map((n) => n.pg);
  const [primary, ...replicas] = models;
  expect((await until(world, primary!.bootstrap())).ok).toBe(true);
  for (const r of replicas) {
    expect((await until(world, r.clone({ upstream: up(primary!.memberName) }))).ok).toBe(true);
    expect((await until(world, r.start({ role: 'replica', upstream: up(primary!.memberName) }))).ok).toBe(true);
  }
  await world.runFor(100);
  return models;
}
