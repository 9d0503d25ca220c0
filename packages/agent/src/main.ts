/** The `pgwarden` executable: a thin entry over cli/run.ts. */
import { processIo } from './cli/io.js';
import { runCli } from './cli/run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
