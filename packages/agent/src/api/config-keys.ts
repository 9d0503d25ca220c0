/**
 * PATCH and PUT /config consult the Patroni 4.1 key table too: a dynamic key pgwarden
 * refuses (see docs/patroni-keys.md) makes the request fail with its reason, and one
 * that has no effect here is written but logged once per request, naming it.
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
