/**
 * The `pgwarden` executable: a thin entry over cli/run.ts. The start-up settings
 * (startup.ts) must apply before the agent's modules load, so those are imported only
 * afterwards, dynamically: a static import would load them first.
 */
import { processIo } from './cli/io.js';
import { prepareAgentRuntime } from './startup.js';

prepareAgentRuntime();
const { runCli } = await import('./cli/run.js');
process.exitCode = await runCli(process.argv.slice(2), processIo());
