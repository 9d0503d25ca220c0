/**
 * `/config`: the dynamic configuration in the DCS (spec/api.md §1.6–§1.7).
 * GET answers the stored document from the last snapshot (or a fresh read before the
 * first one), valid or not, as Patroni does, and 502 without a config key. PATCH merges
 * with CAS on the config's version; PUT replaces without CAS.
 *
 * Deliberate difference from Patroni, which stores whatever it is sent: PATCH and PUT
 * check the whole resulting document with core's validateDynamicConfig, the check every
 * agent applies when it reads `/config`, and answer 400 without writing anything when
 * it has an issue. A stored document with an issue is refused whole by every agent
 * (DynamicConfigTracker), so writing one would only leave the API reporting a /config
 * that no engine follows.
 */
import { formatConfigIssue, isConfigValid, toPatroniJson, validateDynamicConfig, type ConfigIssue } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import { dynamicKeyFindings } from '../config-keys.js';
import { deepCompare, nestedDeeperThan, patchConfig } from '../config-patch.js';
import type { RouteContext } from '../context.js';
import { sendError, writeJson, writeResponse } from '../reply.js';

/** Far beyond Patroni's deepest key (three levels); core's validator refuses past the same depth. */
const MAX_BODY_DEPTH = 32;

/** A long list of issues is cut here; the first ones are usually enough to fix the request. */
const MAX_ISSUE_LINES = 50;

export async function configView(ctx: RouteContext): Promise<void> {
  const { source, actions } = ctx.deps;
  // The stored document, not source.config() (the one in force), as Patroni answers.
  const snapshot = source.cluster();
  const data = snapshot ? (snapshot.config?.data ?? null) : ((await actions.loadCluster()).config?.data ?? null);
  if (!data) return sendError(ctx.res, 502);
  writeJson(ctx.res, ctx.headers, 200, data);
}

export async function configPatch(ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(ctx.req, false);
  if (!body.ok) return sendError(ctx.res, body.status);
  if (nestedDeeperThan(body.value, MAX_BODY_DEPTH)) return refuse(ctx, [tooDeep()]);
  const { config } = await ctx.deps.actions.loadCluster();
  if (!isConfigValid(config)) return sendError(ctx.res, 503);
  const data = structuredClone(config.data) as Record<string, unknown>;
  const changed = patchConfig(data, body.value);
  // The whole result, not only the patch: a document that is already wrong stays refused
  // until the request also fixes what is wrong in it.
  const keys = dynamicKeyFindings(data);
  const issues = [...validateDynamicConfig(data).issues, ...keys.issues];
  if (issues.length > 0) return refuse(ctx, issues);
  for (const warning of keys.warnings) ctx.deps.logger.warn(warning);
  if (changed) {
    if (!(await ctx.deps.actions.writeConfig(toPatroniJson(data), config.version))) return sendError(ctx.res, 409);
  }
  ctx.deps.actions.wakeup();
  writeJson(ctx.res, ctx.headers, 200, data);
}

export async function configReplace(ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(ctx.req, false);
  if (!body.ok) return sendError(ctx.res, body.status);
  const keys = dynamicKeyFindings(body.value);
  const issues = [...validateDynamicConfig(body.value).issues, ...keys.issues];
  if (issues.length > 0) return refuse(ctx, issues);
  for (const warning of keys.warnings) ctx.deps.logger.warn(warning);
  const { config } = await ctx.deps.actions.loadCluster();
  if (!(config && deepCompare(body.value, config.data))) {
    if (!(await ctx.deps.actions.writeConfig(toPatroniJson(body.value), null))) return sendError(ctx.res, 502);
  }
  writeJson(ctx.res, ctx.headers, 200, body.value);
}

function tooDeep(): ConfigIssue {
  return { path: '(config)', reason: `is nested deeper than ${MAX_BODY_DEPTH} levels; no Patroni setting is, so flatten or remove the deep part` };
}

/**
 * 400 and one line per issue (`key = value: what is wrong and how to fix it`), in the
 * wording of the agents' log and `--validate-config`. Line breaks inside a key or
 * value are flattened so that each issue stays on one line.
 */
function refuse(ctx: RouteContext, issues: readonly ConfigIssue[]): void {
  const lines = issues.slice(0, MAX_ISSUE_LINES).map((issue) => formatConfigIssue(issue).replace(/[\r\n]+/g, ' '));
  if (issues.length > MAX_ISSUE_LINES) lines.push(`… and ${issues.length - MAX_ISSUE_LINES} more issues`);
  const text = `Invalid dynamic configuration, nothing was written:\n${lines.join('\n')}\n`;
  writeResponse(ctx.res, ctx.headers, 400, text, 'text/plain; charset=utf-8');
}
