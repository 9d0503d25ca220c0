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
  if (!result.ok) {
    // One line per issue, whatever the key, value or reason text holds.
    for (const issue of result.issues) io.stderr(`${oneLine(formatConfigIssue(issue))}\n`);
    return 1;
  }
  return 0;
}

function oneLine(text: unknown): string {
  const message = text instanceof Error ? text.message : typeof text === 'string' ? text : 'unknown error';
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}
