/** The lost-host failover and pg_rewind rejoin (lost-host.ts) on etcd. */
import { lostHostScenario } from './lost-host.js';

lostHostScenario('etcd', 'failover');
