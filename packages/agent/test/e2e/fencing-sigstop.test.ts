/** Issue #8: the primary's pgwarden process SIGSTOPped for ttl + 15 s (fencing-scenario.ts). */
import { agentLossScenario } from './fencing-scenario.js';

agentLossScenario('SIGSTOP');
