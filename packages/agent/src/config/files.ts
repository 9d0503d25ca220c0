/**
 * Reads the configuration path given on the command line: one YAML file, or a
 * directory whose `*.yml` / `*.yaml` files are merged in sorted name order (later files
 * patch earlier ones; null deletes), as Patroni does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PgwardenError } from '@pgwarden/core';
import { patchConfig } from './patch.js';
import { isRecord, type RawConfig } from './records.js';
import { parsePatroniYaml } from './yaml.js';

/** The files a config path stands for, in merge order. */
export function configFilesOf(path: string): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new PgwardenError('config-unreadable', `config path ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (stats.isFile()) return [path];
  if (!stats.isDirectory()) throw new PgwardenError('config-unreadable', `config path ${path} is neither a file nor a directory`);
  return readdirSync(path)
    .filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'))
    .sort()
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

/** One YAML document that must be a mapping (an empty file counts as an empty mapping). */
export function parseConfigDocument(text: string, source: string): RawConfig {
  const doc = parsePatroniYaml(text, source);
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) {
    throw new PgwardenError('config-unreadable', `${source} must hold a YAML mapping (key: value lines), not a ${Array.isArray(doc) ? 'list' : typeof doc}`);
  }
  return doc;
}

export function loadConfigPath(path: string): { config: RawConfig; files: string[] } {
  const files = configFilesOf(path);
  let config: RawConfig = {};
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PgwardenError('config-unreadable', `${file} cannot be read: ${(error as Error).message}`, { cause: error });
    }
    config = patchConfig(config, parseConfigDocument(text, file));
  }
  return { config, files };
}
