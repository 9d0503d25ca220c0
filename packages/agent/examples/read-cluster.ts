/**
 * Reading a cluster from tooling: the example in docs/writing-a-dcs-adapter.md and the
 * agent's README. Type-checked with the package's tests, so it cannot drift from the
 * API; outside this package, import from '@pgwarden/agent'.
 */
import { readClusterFromConfig } from '../src/index.js';

export async function printLeader(configPath: string): Promise<void> {
  const cluster = await readClusterFromConfig(configPath); // read-only: no session, no member key
  const leader = cluster.leader?.name ?? '(none)';
  console.log(`leader: ${leader}; members: ${cluster.members.map((m) => m.name).join(', ')}`);
}
