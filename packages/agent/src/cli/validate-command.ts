/**
 * `pgwarden --validate-config [CONFIG]`: loads the file (or directory) and the
 * environment exactly as a start would, runs the full check and starts nothing. Each
 * issue is one line on stderr (`path = value: reason`, secrets masked); warnings are
 * `warning: …` lines. Exit code 0 when valid, 1 when not.
 *
 * As in Patroni 4.1, the ports of restapi.listen and postgresql.listen must be free
 * (`ignoreListenPort` skips that), and `print` writes the configuration as loaded
 * (file plus environment) to stdout as YAML once it is valid, secrets masked.
 */
import { existsSync } from 'node:fs';
import { formatConfigIssue } from '@pgwarden/core';
import { loadConfig } from '../config/load.js';
import { maskSecrets } from '../config/secrets.js';
import { checkConfig } from '../config/validate-config.js';
import { yamlLibrary } from '../config/yaml-library.js';
import type { CliIo } from './io.js';
import { listenPortIssues } from './listen-ports.js';

export interface ValidateCommandOptions {
  /** `--print`: write the loaded configuration (secrets masked) to stdout when it is valid. */
  readonly print?: boolean;
  /** `--ignore-listen-port`: do not fail when a listen port is already in use. */
  readonly ignoreListenPort?: boolean;
}

export async function runValidateConfig(configPath: string | undefined, io: CliIo, options: ValidateCommandOptions = {}): Promise<number> {
  if (configPath !== undefined && !existsSync(configPath)) {
    io.stderr(`${configPath}: config file or directory does not exist\n`);
    return 1;
  }
  let raw;
  try {
    raw = loadConfig({ ...(configPath !== undefined && { path: configPath }), env: io.env }).raw;
  } catch (error) {
    io.stderr(`${oneLine(error)}\n`);
    return 1;
  }
  let result;
  try {
    result = await checkConfig(raw, { mode: 'full' });
  } catch (error) {
    // Every section check turns a bad value into an issue (validate-config.ts guards them
    // too); this is the last resort, so that even a bug prints one line and no stack.
    io.stderr(`(config): could not be checked (${oneLine(error)}); this is a bug in pgwarden, please report it\n`);
    return 1;
  }
  for (const warning of result.warnings) io.stderr(`warning: ${oneLine(warning)}\n`);
  const issues = result.ok ? (options.ignoreListenPort ? [] : await listenPortIssues(result.config)) : result.issues;
  if (issues.length > 0) {
    // One line per issue, whatever the key, value or reason text holds.
    for (const issue of issues) io.stderr(`${oneLine(formatConfigIssue(issue))}\n`);
    return 1;
  }
  if (options.print) io.stdout(yamlLibrary().stringify(maskSecrets(raw), { indent: 2, lineWidth: 0 }));
  return 0;
}

function oneLine(text: unknown): string {
  const message = text instanceof Error ? text.message : typeof text === 'string' ? text : 'unknown error';
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}
