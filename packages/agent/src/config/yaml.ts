/**
 * YAML as Patroni reads it. Patroni uses PyYAML, which speaks YAML 1.1: `on`/`off`/
 * `yes`/`no` are booleans (so `nofailover: yes` is true and `mode: off` is false),
 * `0755` is octal and `1:30` is base 60. The `yaml` package does the same in its 1.1
 * schema, except that it also reads `y`/`n` as booleans and dates as Date objects;
 * here both stay strings, as PyYAML leaves `y`/`n` and as a config value is easier to
 * check as text. Duplicate keys are allowed (the last one wins), as in PyYAML.
 */
import type { Tags } from 'yaml';
import { PgwardenError } from '@pgwarden/core';
import { yamlLibrary } from './yaml-library.js';

const BOOL_TAG = 'tag:yaml.org,2002:bool';
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const PYYAML_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PYYAML_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

function pyyamlTags(tags: Tags): Tags {
  return tags
    .filter((tag) => !(typeof tag === 'object' && 'tag' in tag && tag.tag === TIMESTAMP_TAG && tag.test?.test('2001-12-14')))
    .map((tag) => {
      if (typeof tag !== 'object' || !('tag' in tag) || tag.tag !== BOOL_TAG || !tag.test) return tag;
      return { ...tag, test: tag.test.test('true') ? PYYAML_TRUE : PYYAML_FALSE };
    });
}

/** Parses one YAML document; `source` names the file (or variable) in the error. */
export function parsePatroniYaml(text: string, source: string): unknown {
  try {
    return yamlLibrary().parse(text, { version: '1.1', customTags: pyyamlTags, uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PgwardenError('config-unreadable', `${source} is not valid YAML: ${detail}`, { cause: error });
  }
}
