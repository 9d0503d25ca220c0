/**
 * `pgwarden --generate-sample-config [FILE]` and `--generate-config [FILE]`: print (or
 * write to FILE) a patroni.yml in Patroni's section order with its comments.
 *
 * `--generate-sample-config` fills in defaults (sample-config.ts); `--generate-config`
 * reads them from a running Postgres (running-config.ts). The file is written 0600: it
 * may hold the superuser's password.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RawConfig } from '../config/records.js';
import { yamlLibrary } from '../config/yaml-library.js';
import type { CliIo } from './io.js';
import { GenerateConfigError, buildRunningConfig } from './running-config.js';
import { buildSampleConfig } from './sample-config.js';

const HEAD_SECTIONS = ['scope', 'namespace', 'name', 'log', 'restapi', 'ctl', 'citus', 'consul', 'etcd3', 'zookeeper'];
const TAIL_SECTIONS = ['postgresql', 'watchdog', 'tags'];

function block(value: RawConfig, indent = ''): string {
  // YAML 1.1 quoting, as Patroni's reader (and PyYAML) would take an unquoted `on` for a boolean.
  return yamlLibrary().stringify(value, { indent: 2, lineWidth: 0, version: '1.1' })
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

export async function runGenerateConfig(options: { sample: boolean; outputPath?: string; dsn?: string }, io: CliIo): Promise<number> {
  let config: RawConfig;
  if (options.sample) config = buildSampleConfig(io.env);
  else {
    try {
      config = await buildRunningConfig(options.dsn, io.env);
    } catch (error) {
      // Patroni exits with the message as status text: one line, exit code 1.
      io.stderr(`${error instanceof GenerateConfigError ? error.message : `Unexpected exception: ${(error as Error).message}`}\n`);
      return 1;
    }
  }
  const text = formatSampleConfig(config);
  if (!options.outputPath) {
    io.stdout(text);
    return 0;
  }
  try {
    mkdirSync(dirname(options.outputPath), { recursive: true });
    writeFileSync(options.outputPath, text, { encoding: 'utf8', mode: 0o600 });
  } catch (error) {
    io.stderr(`cannot write ${options.outputPath}: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}
