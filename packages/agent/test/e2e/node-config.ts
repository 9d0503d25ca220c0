/**
 * Editing a node's patroni.yml before its agent starts, through the YAML parser: for
 * scenarios that replace whole sections the harness writes (pg_hba, authentication).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import type { AgentNode } from './cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type YamlDoc = Record<string, any>;

export function editNodeConfig(node: AgentNode, edit: (doc: YamlDoc) => void): void {
  const doc = parse(readFileSync(node.configPath, 'utf8')) as YamlDoc;
  edit(doc);
  writeFileSync(node.configPath, stringify(doc));
}
