/** Options several commands share, with patronictl's help text, so each is described once. */
import type { OptionSpec } from './args.js';
import { ROLE_CHOICES } from './members-select.js';
import { FORMATS } from './output.js';

const choices = (values: readonly string[]): string => `[${values.join('|')}]`;

export const ROLE_OPTION: OptionSpec = { names: ['-r', '--role'], value: true, metavar: choices(ROLE_CHOICES), help: 'Whether to act on the leader, a replica or any member' };
export const FORCE_OPTION: OptionSpec = { names: ['--force'], help: 'Do not ask for confirmation at any point' };
export const FORMAT_OPTION: OptionSpec = { names: ['-f', '--format'], value: true, metavar: choices(FORMATS), help: 'Output format (default pretty)' };
export const WAIT_OPTION: OptionSpec = { names: ['--wait'], help: 'Wait until the request is recognized (or done) by every member' };
export const WATCH_OPTIONS: readonly OptionSpec[] = [
  { names: ['-W'], key: 'W', help: 'Auto update the screen every 2 seconds' },
  { names: ['-w', '--watch'], value: true, key: 'watch', metavar: 'FLOAT', help: 'Auto update the screen every X seconds' },
];
