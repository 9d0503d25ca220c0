/** The lost-host failover and pg_rewind rejoin (lost-host.ts) on a real ZooKeeper 3.8. */
import { lostHostScenario } from './lost-host.js';

lostHostScenario('zookeeper');
