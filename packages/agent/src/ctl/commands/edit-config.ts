/**
 * `edit-config [CLUSTER] [-q] [-s k=v]… [-p guc=v]… [--apply F|-] [--replace F|-] [--force]`:
 * shows a unified diff, asks `Apply these changes?` unless --force, and writes with a
 * compare-and-set on the config's version, so a concurrent change is refused.
 */
import { spawnSync } from 'node:child_process';
import { formatConfigIssue, validateDynamicConfig } from '@pgwarden/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagOpt, listOpt, parseArgs, stringOpt, type OptionSpec } from '../args.js';
import { FORCE_OPTION } from '../common-options.js';
import { requireDcs } from '../cluster-source.js';
import { applyKeyValues, applyYaml, parseYamlDocument, sameConfig } from '../config-edit.js';
import { clusterName, withCluster, type Command } from '../context.js';
import { unifiedDiff } from '../diff.js';
import { CtlError } from '../errors.js';
import { formatYaml } from '../yaml-format.js';

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CtlError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function invokeEditor(before: string, name: string): string {
  const editor = process.env.EDITOR || ['editor', 'vi'].find((e) => spawnSync('which', [e]).status === 0);
  if (!editor) throw new CtlError('EDITOR environment variable is not set. editor or vi are not available');
  const dir = mkdtempSync(join(tmpdir(), `${name}-config-`));
  const file = join(dir, 'config.yaml');
  try {
    writeFileSync(file, before);
    const ret = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
    if (ret.status) throw new CtlError(`Editor exited with return code ${ret.status}`);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const OPTIONS: readonly OptionSpec[] = [
  { names: ['-q', '--quiet'], help: 'Do not show changes' },
  { names: ['-s', '--set'], value: true, multiple: true, metavar: 'KEY=VALUE', help: 'Set specific configuration value (dotted key path; repeatable)' },
  { names: ['-p', '--pg'], value: true, multiple: true, metavar: 'GUC=VALUE', help: 'Set specific PostgreSQL parameter value (repeatable)' },
  { names: ['--apply'], value: true, metavar: 'FILE', help: 'Apply configuration from file (- for stdin)' },
  { names: ['--replace'], value: true, metavar: 'FILE', help: 'Apply configuration from file, replacing existing configuration (- for stdin)' },
  FORCE_OPTION,
];

export const editConfigCommand: Command = {
  name: 'edit-config',
  help: 'Edit cluster configuration',
  usage: '[CLUSTER_NAME]',
  options: OPTIONS,
  async run(ctx, argv) {
    const args = parseArgs(argv, OPTIONS);
    const name = clusterName(ctx, args.positionals[0]);
    const quiet = flagOpt(args, 'quiet');
    const force = flagOpt(args, 'force');
    const applyFile = stringOpt(args, 'apply');
    const replaceFile = stringOpt(args, 'replace');
    await withCluster(ctx, name, async (source) => {
      const dcs = requireDcs(source, 'edit-config');
      const cluster = await source.load();
      if (!cluster.config) throw new CtlError(`The config key does not exist in the cluster ${name}`);
      const before = formatYaml(cluster.config.data);
      let changed: Record<string, unknown> = cluster.config.data as Record<string, unknown>;
      let edited = false;
      if (replaceFile) {
        changed = applyYaml({}, parseYamlDocument(readInput(replaceFile), replaceFile));
        edited = true;
      }
      if (applyFile) {
        changed = applyYaml(changed, parseYamlDocument(readInput(applyFile), applyFile));
        edited = true;
      }
      const pairs = [...listOpt(args, 'set'), ...listOpt(args, 'pg').map((p) => `postgresql.parameters.${p.trimStart()}`)];
      if (pairs.length) {
        changed = applyKeyValues(changed, pairs);
        edited = true;
      }
      let after = formatYaml(changed);
      if (!edited) {
        after = invokeEditor(before, name);
        changed = parseYamlDocument(after, 'the edited file');
      }
      if (sameConfig(cluster.config.data, changed)) {
        if (!quiet) ctx.io.echo('Not changed');
        return;
      }
      // The agents refuse a bad /config whole and keep the last good one: never store one.
      const issues = validateDynamicConfig(changed).issues;
      if (issues.length) {
        throw new CtlError(`Not changed: the new configuration is invalid:\n${issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n')}`);
      }
      if (!quiet) for (const line of unifiedDiff(before, after)) ctx.io.echo(line);
      if ((applyFile === '-' || replaceFile === '-') && !force) {
        ctx.io.echo('Use --force option to apply changes');
        return;
      }
      if (force || (await ctx.io.confirm('Apply these changes?'))) {
        const outcome = await dcs.writeConfig(changed, cluster.config.version);
        if (outcome.kind === 'conflict') throw new CtlError('Config modification aborted due to concurrent changes');
        if (outcome.kind === 'unavailable') throw new CtlError(`Config modification failed: DCS is not accessible: ${outcome.cause.message}`);
        ctx.io.echo('Configuration changed');
      }
    });
  },
};
