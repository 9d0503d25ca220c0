/**
 * How Patroni turns environment strings into config values: lists and mappings are
 * YAML with the brackets optional (`a,b` → [a, b]; `k: v, k2: v2` → {k: v, k2: v2}),
 * booleans go through parse_bool and integers through parse_int. A value that cannot be
 * read is kept as the raw string so validation names it, instead of being dropped
 * silently as Patroni does.
 */
import { parsePatroniBool, parsePatroniInt } from '@pgwarden/core';
import { isRecord } from './records.js';
import { parsePatroniYaml } from './yaml.js';

function tryYaml(text: string): unknown {
  try {
    return parsePatroniYaml(text, 'environment');
  } catch {
    return undefined;
  }
}

export function envList(value: string): unknown {
  const text = value.trim().startsWith('-') || value.includes('[') ? value : `[${value}]`;
  const parsed = tryYaml(text);
  return Array.isArray(parsed) ? parsed : value;
}

export function envDict(value: string): unknown {
  const text = value.trim().startsWith('{') ? value : `{${value}}`;
  const parsed = tryYaml(text);
  return isRecord(parsed) ? parsed : value;
}

export function envBool(value: string): unknown {
  return parsePatroniBool(value) ?? value;
}

export function envInt(value: string): unknown {
  return parsePatroniInt(value) ?? value;
}
