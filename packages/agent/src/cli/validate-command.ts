/**
 * `pgwarden --validate-config [CONFIG]`: loads the file (or directory) and the
 * environment exactly as a start would, runs the full check and starts nothing. Each
 * issue is one line on stderr (`path = value: reason`, secrets masked); warnings are
 * `warning: …` lines. Exit code 0 when valid, 1 when not.
 */
import { existsSync } from 'node:fs';
import { formatConfigIssue } from '@pgwarden/core';
import { loadConfig } from '../config/load.js';
import { checkConfig } from '../config/validate-config.js';
import type { CliIo } from './io.js';

export async function runValidateConfig(configPath: string | undefined, io: CliIo): Promise<number> {
  if (configPath !== undefined && !existsSync(configPath)) {
    io.stderr(`${configPath}: config file or directory does not exist\n`);
    return 1;
  }
  let raw;
  try {
    raw = loadConfig({ ...(configPath !== undefined && { path: configPath }), env: io.env }).raw;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return 1;
  }
  const result = await checkConfig(raw, { mode: 'full' });
  for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
  if (!result.ok) {
    // One line per issue, whatever the reason text holds.
    for (const issue of result.issues) io.stderr(`${formatConfigIssue(issue).replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
  return 0;
}
