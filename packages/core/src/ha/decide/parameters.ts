/**
 * A new `postgresql.parameters`, `pg_hba`, `pg_ident` or `recovery_conf` in `/config`
 * reaches Postgres in the cycle that reads it (Patroni's reload_config): config files
 * rewritten, a reload — never a restart —, what needs a restart reported as
 * pending_restart. Patroni's precedence is the controller's to apply: patroni.yml's
 * pg_hba, pg_ident and recovery_conf win where set. Not while a task owns Postgres
 * (bootstrap, clone, restart…): the next cycle after it applies the change.
 *
 * The first cycle hands over `/config`'s pg_hba/pg_ident/recovery_conf when it sets any,
 * as Patroni rewrites pg_hba/pg_ident when it joins a running Postgres.
 */
import type { DynamicConfig } from '../../config/dynamic.js';
import { toPatroniJson } from '../../dcs/codec/json.js';
import type { DynamicConfigFiles, PostgresParameters } from '../../postgres/controller.js';
import type { Action } from '../actions.js';
import type { HaMemory } from '../view.js';
import type { Ctx } from './context.js';

/** `/config`'s pg_hba, pg_ident and recovery_conf, as the controller takes them. */
export function dynamicConfigFiles(config: DynamicConfig): DynamicConfigFiles {
  return {
    pgHba: config.pgHba,
    pgIdent: config.pgIdent,
    recoveryConf: config.recoveryConf as DynamicConfigFiles['recoveryConf'],
  };
}

/** `/config`'s parameters and files as JSON: what is compared with the last hand-over. */
export interface ConfigJson {
  readonly parameters: string;
  readonly files: string;
}

export function configJson(config: DynamicConfig): ConfigJson {
  return { parameters: toPatroniJson(config.parameters), files: toPatroniJson(dynamicConfigFiles(config)) };
}

export function parameterActions(ctx: Ctx): Action[] {
  const applied = ctx.memory.appliedParameters;
  if (applied === null || ctx.view.task || ctx.local.dataDir.kind !== 'valid') return [];
  // The loop hands it over, made once per config; a view built by hand may leave it out.
  const json = ctx.view.configJson ?? configJson(ctx.config);
  const wanted = json.parameters;
  const files = dynamicConfigFiles(ctx.config);
  const wantedFiles = json.files;
  const appliedFiles = ctx.memory.appliedConfigFiles;
  const filesChanged = appliedFiles === null ? files.pgHba !== null || files.pgIdent !== null || files.recoveryConf !== null : wantedFiles !== appliedFiles;
  if (wanted === applied && !filesChanged) return [];
  const patch: Partial<HaMemory> = { ...(wanted !== applied && { appliedParameters: wanted }), ...(filesChanged && { appliedConfigFiles: wantedFiles }) };
  return [
    {
      type: 'applyParameters',
      parameters: ctx.config.parameters as PostgresParameters,
      liveSyncStandbyNames: ctx.local.observation?.synchronousStandbyNames || null,
      files,
    },
    { type: 'remember', patch },
  ];
}
