/** The lost-host failover and pg_rewind rejoin (lost-host.ts) on the Consul protocol double. */
import { lostHostScenario } from './lost-host.js';

lostHostScenario('consul');
