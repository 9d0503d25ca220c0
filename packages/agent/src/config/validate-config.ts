/**
 * The full schema check of a merged patroni.yml (+ environment): every problem is one
 * ConfigIssue naming the dotted key, the value (secrets masked) and the fix. Typed
 * config comes back only when there is no issue.
 */
import { timingFloorOf } from './timing-floor.js';
import { ConfigChecker, displayValue, type ConfigIssue, type DcsAdapterModule } from '@pgwarden/core';
import { loadDcsAdapters, type ModuleImporter } from './dcs-loader.js';
import type { LocalConfig } from './local-config.js';
import { isRecord } from './records.js';
import { checkBootstrap, checkCitus } from './validate/bootstrap.js';
import type { SectionContext, ValidationMode } from './validate/context.js';
import { checkDcsSection } from './validate/dcs.js';
import { checkLog } from './validate/log.js';
import { checkPatroniKeys } from './validate/patroni-keys.js';
import { checkPostgresql } from './validate/postgresql.js';
import { checkCtl, checkRestApi } from './validate/restapi.js';
import { checkTags } from './validate/tags.js';
import { checkWatchdog } from './validate/watchdog.js';

export type { ValidationMode } from './validate/context.js';

export type ConfigValidation =
  | { readonly ok: true; readonly config: LocalConfig; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[]; readonly warnings: readonly string[] };

export interface ValidateOptions {
  /** DCS adapters by section name (see loadDcsAdapters). */
  readonly adapters?: ReadonlyMap<string, DcsAdapterModule>;
  /** `start` (default) or `full` (`--validate-config`); see validate/context.ts. */
  readonly mode?: ValidationMode;
}

export function validateConfig(raw: unknown, options: ValidateOptions = {}): ConfigValidation {
  return validateWith(raw, options, []);
}

function validateWith(raw: unknown, options: ValidateOptions, earlier: readonly ConfigIssue[]): ConfigValidation {
  const checker = new ConfigChecker();
  const warnings: string[] = [];
  const ctx: SectionContext = { checker, mode: options.mode ?? 'start', warnings, adapterLoadFailed: earlier.length > 0 };
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    checker.issue('(config)', undefined, isRecord(raw) || raw === null || raw === undefined ? 'Config is empty.' : 'must be a YAML mapping');
    return { ok: false, issues: checker.issues, warnings };
  }

  for (const key of ['name', 'scope'] as const) {
    if (raw[key] === undefined || raw[key] === null) checker.missing(key, key === 'name' ? 'name: pg-node-1' : 'scope: my-cluster');
  }
  const name = checker.string('name', raw.name, { allowNumber: true });
  const scope = checker.string('scope', raw.scope, { allowNumber: true });
  const namespace = checker.string('namespace', raw.namespace) ?? '/service';

  const section = <T>(key: string, check: () => T): T | undefined => guarded(checker, key, check);
  const restapi = section('restapi', () => checkRestApi(ctx, raw.restapi));
  const ctl = section('ctl', () => checkCtl(ctx, raw.ctl));
  const postgresql = section('postgresql', () => checkPostgresql(ctx, raw.postgresql));
  const dcs = section('(dcs)', () => checkDcsSection(ctx, raw, options.adapters ?? new Map()));
  const citus = section('citus', () => checkCitus(ctx, raw.citus)) ?? null;
  const timing = timingFloorOf(raw);
  if (timing.warning) warnings.push(timing.warning);
  const bootstrap = section('bootstrap', () => checkBootstrap(ctx, raw.bootstrap, citus, timing.floor));
  const watchdog = section('watchdog', () => checkWatchdog(ctx, raw.watchdog));
  const tags = section('tags', () => checkTags(ctx, raw.tags));
  const log = section('log', () => checkLog(ctx, raw.log));
  // Last: Patroni 4.1 keys pgwarden does not honour, unless their section was refused above.
  section('(patroni keys)', () => checkPatroniKeys(ctx, raw));

  const issues = [...earlier, ...checker.issues].map(masked);
  if (issues.length > 0 || !name || !scope || !restapi || !postgresql || !dcs || !ctl || !bootstrap || !watchdog || !tags || !log) {
    return { ok: false, issues, warnings };
  }
  return {
    ok: true,
    config: { name, scope, namespace, restapi, ctl, postgresql, dcs, watchdog, tags, log, bootstrap, citus, raw },
    warnings,
  };
}

/**
 * A section check that throws (a bug: every check should turn a bad value into an issue)
 * becomes one issue naming the section, so `--validate-config` and a start print one
 * line instead of a stack trace.
 */
function guarded<T>(checker: ConfigChecker, key: string, check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'unknown error';
    checker.issue(key, undefined, `could not be checked (${detail}); this is a bug in pgwarden, please report it with this section of the config`);
    return undefined;
  }
}

/** Adapters may build their own issues; mask again so no secret ever leaves this module. */
function masked(issue: ConfigIssue): ConfigIssue {
  const value = displayValue(issue.path, issue.value);
  return value === undefined ? { path: issue.path, reason: issue.reason } : { path: issue.path, value, reason: issue.reason };
}

/** Imports the DCS adapter named by the config, then validates; what the CLI and the daemon call. */
export async function checkConfig(
  raw: unknown,
  options: { mode?: ValidationMode; importer?: ModuleImporter } = {},
): Promise<ConfigValidation> {
  const loaded = isRecord(raw) ? await loadDcsAdapters(raw, options.importer) : { adapters: new Map(), issues: [] };
  return validateWith(raw, { adapters: loaded.adapters, ...(options.mode && { mode: options.mode }) }, loaded.issues);
}
