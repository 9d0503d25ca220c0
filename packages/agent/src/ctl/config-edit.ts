/**
 * The pure part of edit-config: `-s a.b=value` (value read as YAML, null deletes;
 * under postgresql.parameters the rest of the dotted name is one GUC), `--apply`
 * (merged over the current config) and `--replace` (taken as is).
 */
import { isDeepStrictEqual } from 'node:util';
import { setOwn } from '@pgwarden/core';
import { patchConfig } from '../config/patch.js';
import { isRecord } from '../config/records.js';
import { parsePatroniYaml } from '../config/yaml.js';
import { CtlError } from './errors.js';

type Obj = Record<string, unknown>;

function setPath(config: Obj, path: string[], value: unknown, prefix: string[] = []): void {
  if (prefix.join('.') === 'postgresql.parameters') path = [path.join('.')];
  const key = path[0]!;
  if (path.length === 1) {
    if (value === null || value === undefined) delete config[key];
    else setOwn(config, key, value);
    return;
  }
  if (!Object.hasOwn(config, key) || !isRecord(config[key])) setOwn(config, key, {});
  const child = config[key] as Obj;
  setPath(child, path.slice(1), value, [...prefix, key]);
  if (Object.keys(child).length === 0) delete config[key];
}

export function applyKeyValues(data: Readonly<Obj>, pairs: readonly string[]): Obj {
  const changed = structuredClone(data) as Obj;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (!pair || eq < 0) throw new CtlError(`Invalid parameter setting ${pair}`);
    const value = parsePatroniYaml(pair.slice(eq + 1), pair);
    setPath(changed, pair.slice(0, eq).trim().split('.'), value);
  }
  return changed;
}

export function parseYamlDocument(text: string, source: string): Obj {
  let value: unknown;
  try {
    value = parsePatroniYaml(text, source);
  } catch (error) {
    throw new CtlError((error as Error).message);
  }
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw new CtlError(`${source} does not hold a YAML mapping`);
  return value;
}

export function applyYaml(data: Readonly<Obj>, overlay: Readonly<Obj>): Obj {
  return patchConfig(structuredClone(data) as Obj, overlay);
}

export function sameConfig(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}
