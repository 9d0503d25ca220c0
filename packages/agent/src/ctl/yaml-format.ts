/**
 * YAML as patronictl writes it (PyYAML `safe_dump`): keys sorted, block style (or flow
 * style for tags in tsv/topology), sequences not indented under their key, single
 * quotes where quoting is needed, lines up to 200 characters.
 */
import { yamlLibrary } from '../config/yaml-library.js';

export function formatYaml(data: unknown, flow = false): string {
  if (flow && data !== null && typeof data === 'object') {
    return yamlLibrary().stringify(data, { sortMapEntries: true, collectionStyle: 'flow', flowCollectionPadding: false, singleQuote: true, lineWidth: 200 });
  }
  return yamlLibrary().stringify(data, { sortMapEntries: true, indentSeq: false, singleQuote: true, lineWidth: 200, nullStr: 'null' });
}
