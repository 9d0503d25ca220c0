/** Loaded first into a stage's process by memory-stages.ts: the start-up settings of the `pgwarden` executable. */
import { prepareAgentRuntime } from '../src/startup.js';

prepareAgentRuntime();
