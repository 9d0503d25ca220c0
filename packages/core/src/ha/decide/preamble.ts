/**
 * Every cycle, before any decision (§1.1 steps 4–5): make sure our member key exists,
 * and let the lock holder repair a wiped `initialize` or `/config`.
 */
import { findMember } from '../../dcs/cluster.js';
import type { Action } from '../actions.js';
import { sysidValid, type Ctx } from './context.js';
import { pauseTransition } from './pause.js';

export function preamble(ctx: Ctx): Action[] {
  const actions: Action[] = [...pauseTransition(ctx)];
  if (!findMember(ctx.cluster, ctx.me)) actions.push({ type: 'touchMember' });
  const dir = ctx.local.dataDir;
  if (ctx.ownsLock && !sysidValid(ctx.cluster.initialize) && dir.kind === 'valid' && sysidValid(dir.sysid)) {
    actions.push({ type: 'initialize', createNew: ctx.cluster.initialize === null, sysid: dir.sysid });
  }
  const config = ctx.cluster.config;
  if (ctx.ownsLock && (!config || Object.keys(config.data).length === 0)) {
    actions.push({ type: 'writeConfig', data: ctx.node.bootstrapDcsConfig });
  }
  return actions;
}
