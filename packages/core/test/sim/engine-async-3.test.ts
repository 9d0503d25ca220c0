/**
 * The real HA engine (built by createNode, as the agent builds it) in the simulation:
 * CI run part 3 of 8 (asynchronous replication; CI_SETS in seeds.ts: 2,000 seeds in all). On failure
 * the message carries the seed, the schedule and the replay command.
 */
import { describeCiSet } from './seeds.js';

describeCiSet('asyncC', 'HA engine under faults (asynchronous replication, part 3)');
