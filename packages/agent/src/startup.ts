/**
 * What the `pgwarden` executable does before it loads the rest of the agent (main.ts):
 * V8 settings that only take effect when applied first (young generation, idle
 * heap), and `pg` loaded without the parts of Node an agent never uses. Imports
 * nothing of the agent's own code.
 */
import { applyIdleHeapFlags } from './startup/idle-heap.js';
import { loadPgWithoutFetch } from './startup/pg-without-fetch.js';
import { applyAgentV8Flags } from './startup/v8-flags.js';

export function prepareAgentRuntime(): void {
  applyAgentV8Flags();
  applyIdleHeapFlags();
  loadPgWithoutFetch();
}
