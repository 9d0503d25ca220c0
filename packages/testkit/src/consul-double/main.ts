/**
 * Entry point of the Consul double as its own process, so tests can stop it, restart
 * it on the same port with the same data, and freeze it with SIGSTOP.
 *
 *   node main.js --port 0 --state FILE [--dc dc1] [--token T] [--session-ttl-min 10s]
 *
 * Prints `listening <port>` once ready. State is written to FILE after every change
 * and read back at start (session TTL timers restart, as after a Consul leader election).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseGoDuration } from './durations.js';
import { createHandler } from './http.js';
import { ConsulStore, type PersistedState } from './store.js';

function arg(name: string, fallback?: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const stateFile = arg('state');
const sessionTtlMinMs = parseGoDuration(arg('session-ttl-min', '10s')!) ?? 10_000;
const store = new ConsulStore({
  sessionTtlMinMs,
  nodeName: arg('node', 'consul-double')!,
  onChange: () => {
    if (!stateFile) return;
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(store.snapshot()));
    renameSync(`${stateFile}.tmp`, stateFile);
  },
});
if (stateFile && existsSync(stateFile)) store.restore(JSON.parse(readFileSync(stateFile, 'utf8')) as PersistedState);

const handler = createHandler(store, { datacenter: arg('dc', 'dc1')!, token: arg('token'), sessionTtlMinMs });
const server = createServer((req, res) => void handler(req, res));
server.listen(Number(arg('port', '0')), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
// State is already on disk after every change; blocking queries need not be drained.
process.on('SIGTERM', () => process.exit(0));
