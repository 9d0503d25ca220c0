/**
 * `--validate-config` checks, as Patroni 4.1 does, that nothing already answers on the
 * ports pgwarden would listen on (restapi.listen, postgresql.listen): a config that
 * cannot start should fail validation. `--ignore-listen-port` skips this, e.g. to
 * validate the config of a node that is running. Each probe is one TCP connect with
 * a short deadline; a wildcard address is probed on the loopback address.
 */
import { connect } from 'node:net';
import type { ConfigIssue } from '@pgwarden/core';
import type { LocalConfig } from '../config/local-config.js';

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::']);
const PROBE_TIMEOUT_MS = 1000;

/** True when something accepts a TCP connection on host:port within the deadline. */
export function portAnswers(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: WILDCARDS.has(host) ? '127.0.0.1' : host, port });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function listenPortIssues(config: LocalConfig): Promise<ConfigIssue[]> {
  const probes: { path: string; host: string; port: number }[] = [
    { path: 'restapi.listen', host: config.restapi.listen.host, port: config.restapi.listen.port },
    ...config.postgresql.listen.hosts.map((host) => ({ path: 'postgresql.listen', host, port: config.postgresql.listen.port })),
  ];
  const issues: ConfigIssue[] = [];
  for (const probe of probes) {
    if (!(await portAnswers(probe.host, probe.port))) continue;
    if (issues.some((i) => i.path === probe.path)) continue;
    issues.push({
      path: probe.path,
      reason: `Port ${probe.port} is already in use; stop what listens there, choose another port, or pass --ignore-listen-port (e.g. to validate the config of a running node)`,
    });
  }
  return issues;
}
