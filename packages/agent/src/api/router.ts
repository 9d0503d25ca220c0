/**
 * Patroni's routing (spec/api.md §1.1): the method and the first path segment pick a
 * handler (`GET /patroni/x` → GET patroni). Without one, GET, HEAD and OPTIONS run the
 * health check and every other method gets 501. Writes are protected by `checkAccess`.
 */
import type { RouteHandler } from './context.js';
import { clusterView, history } from './routes/cluster.js';
import { configPatch, configReplace, configView } from './routes/config.js';
import { failsafePush, failsafeView } from './routes/failsafe.js';
import { healthCheck, healthCheckStatusOnly } from './routes/health.js';
import { metrics } from './routes/metrics.js';
import { patroniStatus } from './routes/patroni.js';
import { liveness, readiness } from './routes/probes.js';
import { reinitialize } from './routes/reinitialize.js';
import { reload } from './routes/reload.js';
import { deleteScheduledRestart, restart } from './routes/restart.js';
import { sigterm } from './routes/sigterm.js';
import { deleteScheduledSwitchover, failover, switchover } from './routes/switchover.js';

export interface Route {
  readonly handler: RouteHandler;
  /** Needs the allowlist, client-certificate and basic-auth checks first. */
  readonly protected: boolean;
}

const open = (handler: RouteHandler): Route => ({ handler, protected: false });
const guarded = (handler: RouteHandler): Route => ({ handler, protected: true });

const ROUTES: Readonly<Record<string, Route>> = {
  'GET patroni': open(patroniStatus),
  'GET cluster': open(clusterView),
  'GET history': open(history),
  'GET config': open(configView),
  'GET metrics': open(metrics),
  'GET liveness': open(liveness),
  'GET readiness': open(readiness),
  'GET failsafe': open(failsafeView),
  'PATCH config': guarded(configPatch),
  'PUT config': guarded(configReplace),
  'POST reload': guarded(reload),
  'POST restart': guarded(restart),
  'DELETE restart': guarded(deleteScheduledRestart),
  'POST switchover': guarded(switchover),
  'POST failover': guarded(failover),
  'DELETE switchover': guarded(deleteScheduledSwitchover),
  'POST reinitialize': guarded(reinitialize),
  'POST failsafe': guarded(failsafePush),
  'POST sigterm': guarded(sigterm),
};

/** Every `METHOD segment` with a handler of its own, e.g. `POST switchover` (for tests and tooling). */
export const ROUTE_KEYS: readonly string[] = Object.freeze(Object.keys(ROUTES));

/** The route for a request, or null when the method has no handler at all (→ 501). */
export function route(method: string, path: string): Route | null {
  const segment = path.replace(/^\/+/, '').split('/')[0] ?? '';
  const specific = ROUTES[`${method} ${segment}`];
  if (specific) return specific;
  if (method === 'GET') return open(healthCheck);
  // HEAD and OPTIONS have no per-path handlers: even HEAD /patroni runs the health check.
  if (method === 'HEAD' || method === 'OPTIONS') return open(healthCheckStatusOnly);
  return null;
}
