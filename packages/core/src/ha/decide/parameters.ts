/**
 * A new `postgresql.parameters` in `/config` reaches Postgres in the cycle that reads it
 * (Patroni's reload_config): config files rewritten, a reload, what needs a restart
 * reported as pending_restart. Not while a task owns Postgres (bootstrap, clone,
 * restart…): the next cycle after it applies the change.
 */
import { toPatroniJson } from '../../dcs/codec/json.js';
import type { PostgresParameters } from '../../postgres/controller.js';
import type { Action } from '../actions.js';
import type { Ctx } from './context.js';

export function parameterActions(ctx: Ctx): Action[] {
  const applied = ctx.memory.appliedParameters;
  if (applied === null || ctx.view.task || ctx.local.dataDir.kind !== 'valid') return [];
  const wanted = toPatroniJson(ctx.config.parameters);
  if (wanted === applied) return [];
  return [
    {
      type: 'applyParameters',
      parameters: ctx.config.parameters as PostgresParameters,
      liveSyncStandbyNames: ctx.local.observation?.synchronousStandbyNames || null,
    },
    { type: 'remember', patch: { appliedParameters: wanted } },
  ];
}
