import { joinPath } from '@pgwarden/core';
import type { TagsConfig } from '../local-config.js';
import type { SectionContext } from './context.js';

/**
 * Built-in tags are typed; custom tags pass through as written. Setting both nofailover
 * and failover_priority is refused by `--validate-config` (as Patroni's validator does)
 * and accepted with a warning at start (as Patroni's daemon does): nofailover wins.
 * A tag may not be named after a property of every JavaScript object (`constructor`, …).
 */
export function checkTags(ctx: SectionContext, value: unknown): TagsConfig {
  const { checker } = ctx;
  const t = checker.record('tags', value) ?? {};
  // Tags are copied by name into the member key; `__proto__` and friends would not be copied as keys.
  for (const name of Object.keys(t)) checker.ownKey(joinPath('tags', name), name);
  const nofailover = checker.bool('tags.nofailover', t.nofailover);
  const failoverPriority = checker.int('tags.failover_priority', t.failover_priority, { min: 0 });
  const bothSet = t.nofailover !== undefined && t.nofailover !== null && t.failover_priority !== undefined && t.failover_priority !== null;
  if (bothSet && ctx.mode === 'full') {
    checker.issue('tags', { nofailover: t.nofailover, failover_priority: t.failover_priority }, "Multiple of ('nofailover', 'failover_priority') provided; keep one (failover_priority: 0 means never promote)");
  } else if (bothSet && nofailover !== undefined && failoverPriority !== undefined && nofailover === failoverPriority > 0) {
    ctx.warnings.push(
      `Conflicting configuration between nofailover: ${nofailover ? 'True' : 'False'} and failover_priority: ${failoverPriority}. Defaulting to nofailover: ${nofailover ? 'True' : 'False'}`,
    );
  }
  // Patroni 4.1: higher is preferred as a synchronous standby; 0 or less means never (like nosync).
  checker.int('tags.sync_priority', t.sync_priority);
  const replicatefrom = checker.string('tags.replicatefrom', t.replicatefrom);
  return {
    ...(nofailover !== undefined && { nofailover }),
    ...(failoverPriority !== undefined && { failoverPriority }),
    clonefrom: checker.bool('tags.clonefrom', t.clonefrom) ?? false,
    noloadbalance: checker.bool('tags.noloadbalance', t.noloadbalance) ?? false,
    nosync: checker.bool('tags.nosync', t.nosync) ?? false,
    nostream: checker.bool('tags.nostream', t.nostream) ?? false,
    ...(replicatefrom !== undefined && { replicatefrom }),
    raw: t,
  };
}
