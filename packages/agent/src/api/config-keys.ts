/**
 * PATCH and PUT /config consult the Patroni 4.1 key table too: a dynamic key pgwarden
 * refuses (see docs/patroni-keys.md) makes the request fail with its reason, and one
 * that has no effect here is written but logged once per request, naming it.
 * A `/config` that reaches the DCS another way (Patroni 4 nodes, etcdctl) cannot be
 * refused: each new document's unhonoured keys are logged once, by name.
 */
import type { ConfigIssue } from '@pgwarden/core';
import { unhonouredKeys, warnedKeyMessage } from '../config/patroni-keys/index.js';

export function dynamicKeyFindings(doc: unknown): { readonly issues: ConfigIssue[]; readonly warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  for (const finding of unhonouredKeys(doc, 'dynamic')) {
    if (finding.key.status === 'refused') issues.push({ path: finding.path, reason: finding.key.reason ?? 'is not supported by pgwarden' });
    else warnings.push(`/config: ${warnedKeyMessage(finding)}`);
  }
  return { issues, warnings };
}

/** One warning per key of a `/config` read from the DCS that pgwarden does not honour. */
export function dcsConfigKeyWarnings(doc: unknown): string[] {
  return unhonouredKeys(doc, 'dynamic').map((finding) =>
    finding.key.status === 'refused'
      ? `/config in the DCS sets ${finding.path}, which pgwarden does not honour: ${finding.key.reason ?? 'not supported'}; remove it with pgwardenctl edit-config`
      : `/config in the DCS: ${warnedKeyMessage(finding)}`,
  );
}
