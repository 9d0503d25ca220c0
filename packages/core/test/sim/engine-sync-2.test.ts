/**
 * The real HA engine (built by createNode, as the agent builds it) in the simulation:
 * CI run part 5 of 8 (synchronous_mode_strict; CI_SETS in seeds.ts: 2,000 seeds in all). On failure
 * the message carries the seed, the schedule and the replay command.
 */
import { describeCiSet } from './seeds.js';

describeCiSet('strictB', 'HA engine under faults, synchronous_mode_strict (part 2)');
