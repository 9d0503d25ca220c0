/** Issue #8: the primary's pgwarden process SIGKILLed, its Postgres left running (fencing-scenario.ts). */
import { agentLossScenario } from './fencing-scenario.js';

agentLossScenario('SIGKILL');
