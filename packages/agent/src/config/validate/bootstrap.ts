import { joinPath, validateDynamicConfig, type DcsTiming } from '@pgwarden/core';
import type { BootstrapConfig, CitusConfig } from '../local-config.js';
import { isRecord, type RawConfig } from '../records.js';
import type { SectionContext } from './context.js';

/**
 * `bootstrap`: `dcs` goes through core's dynamic schema (issues named
 * `bootstrap.dcs.<key>`); `method` is initdb or the name of a section with a `command`.
 */
export function checkBootstrap(ctx: SectionContext, value: unknown, citus: CitusConfig | null, timingFloor?: DcsTiming): BootstrapConfig {
  const { checker } = ctx;
  const b = checker.record('bootstrap', value) ?? {};
  let dcsDoc: unknown = b.dcs;
  // Citus clusters bootstrap with synchronous_mode on unless bootstrap.dcs says otherwise (as Patroni).
  if (citus && (dcsDoc === undefined || isRecord(dcsDoc)) && (dcsDoc as RawConfig | undefined)?.synchronous_mode === undefined) {
    dcsDoc = { ...(dcsDoc as RawConfig | undefined), synchronous_mode: true };
  }
  const dynamic = validateDynamicConfig(dcsDoc, { pathPrefix: 'bootstrap.dcs', ...(timingFloor && { timingFloor }) });
  for (const issue of dynamic.issues) checker.issue(issue.path, issue.value, issue.reason);
  ctx.warnings.push(...dynamic.adjustments.map((a) => `bootstrap.dcs: ${a}`));

  const method = checker.string('bootstrap.method', b.method) ?? 'initdb';
  if (method !== 'initdb') {
    const custom = checker.record(joinPath('bootstrap', method), b[method]);
    if (!custom || typeof custom.command !== 'string' || !custom.command) {
      checker.issue(joinPath('bootstrap', method), b[method], `bootstrap.method is ${method}, so this section needs a command, e.g. bootstrap.${method}.command: /usr/local/bin/restore.sh`);
    }
  }

  const initdb: (string | RawConfig)[] = [];
  if (b.initdb !== undefined && b.initdb !== null) {
    if (!Array.isArray(b.initdb)) checker.issue('bootstrap.initdb', b.initdb, 'is not a list; write flags (- data-checksums) or single-key maps (- encoding: UTF8)');
    else
      b.initdb.forEach((item: unknown, index) => {
        if (typeof item === 'string' || (isRecord(item) && Object.keys(item).length === 1)) initdb.push(item as string | RawConfig);
        else checker.issue(joinPath('bootstrap.initdb', index), item, 'must be a flag (data-checksums) or a single-key map (encoding: UTF8)');
      });
  }
  const pgHba = checker.stringList('bootstrap.pg_hba', b.pg_hba);
  checker.string('bootstrap.post_bootstrap', b.post_bootstrap);
  checker.string('bootstrap.post_init', b.post_init);
  if (b.users !== undefined) ctx.warnings.push('bootstrap.users is deprecated (as in Patroni); create users in post_bootstrap instead');
  return { dcs: dynamic.config, method, initdb, ...(pgHba && { pgHba }), raw: b };
}

export function checkCitus(ctx: SectionContext, value: unknown): CitusConfig | null {
  const { checker } = ctx;
  const c = checker.record('citus', value);
  if (!c) return null;
  if (c.group === undefined || c.group === null) checker.missing('citus.group', 'citus.group: 0');
  if (c.database === undefined || c.database === null) checker.missing('citus.database', 'citus.database: citus');
  const group = checker.int('citus.group', c.group, { min: 0 });
  const database = checker.string('citus.database', c.database);
  return group !== undefined && database !== undefined ? { group, database } : null;
}
