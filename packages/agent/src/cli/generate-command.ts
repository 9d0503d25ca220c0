/**
 * `pgwarden --generate-sample-config [FILE]` and `--generate-config [FILE]`: print (or
 * write to FILE) a patroni.yml in Patroni's section order with its comments.
 *
 * Patroni's `--generate-config` connects to the running Postgres and copies its
 * settings; pgwarden does not do that yet: `--generate-config` prints the sample (with
 * the local Postgres version taken into account) and says so on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { RawConfig } from '../config/records.js';
import type { CliIo } from './io.js';
import { buildSampleConfig } from './sample-config.js';

const HEAD_SECTIONS = ['scope', 'namespace', 'name', 'log', 'restapi', 'ctl', 'citus', 'consul', 'etcd3', 'zookeeper'];
const TAIL_SECTIONS = ['postgresql', 'watchdog', 'tags'];

function block(value: RawConfig, indent = ''): string {
  return stringify(value, { indent: 2, lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

export function formatSampleConfig(config: RawConfig): string {
  const lines: string[] = [];
  const section = (name: string): void => {
    if (config[name] === undefined) return;
    if (typeof config[name] === 'object') lines.push('');
    lines.push(block({ [name]: config[name] }));
  };
  HEAD_SECTIONS.forEach(section);
  const bootstrap = config.bootstrap as Record<string, unknown> | undefined;
  if (bootstrap) {
    lines.push('', '# The bootstrap configuration. Works only when the cluster is not yet initialized.');
    lines.push('# If the cluster is already initialized, all changes in the `bootstrap` section are ignored!');
    lines.push('bootstrap:');
    const dcs = bootstrap.dcs as Record<string, unknown> | undefined;
    if (dcs) {
      lines.push('  # This section is written to <dcs>:/<namespace>/<scope>/config when the cluster is initialized');
      lines.push('  # and every member then uses it as the cluster-wide configuration.');
      lines.push('  # To change it afterwards use `patronictl edit-config`; editing it here has no effect.');
      lines.push('  dcs:');
      const ordered = ['loop_wait', 'retry_timeout', 'ttl'].filter((k) => k in dcs).concat(Object.keys(dcs).filter((k) => !['loop_wait', 'retry_timeout', 'ttl'].includes(k)));
      for (const key of ordered) lines.push(block({ [key]: dcs[key] }, '    '));
    }
    for (const [key, value] of Object.entries(bootstrap)) if (key !== 'dcs') lines.push(block({ [key]: value }, '  '));
  }
  TAIL_SECTIONS.forEach(section);
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
}

export function runGenerateConfig(options: { sample: boolean; outputPath?: string; dsn?: string }, io: CliIo): number {
  if (!options.sample) {
    io.stderr('pgwarden: reading settings from a running Postgres is not implemented yet; printing the sample configuration instead\n');
  }
  const text = formatSampleConfig(buildSampleConfig(io.env));
  if (!options.outputPath) {
    io.stdout(text);
    return 0;
  }
  try {
    mkdirSync(dirname(options.outputPath), { recursive: true });
    writeFileSync(options.outputPath, text, 'utf8');
  } catch (error) {
    io.stderr(`cannot write ${options.outputPath}: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}
