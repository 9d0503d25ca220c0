import type { RawConfig } from '../records.js';
import { isRecord } from '../records.js';
import { unhonouredKeys, warnedKeyMessage, type KeyFinding } from '../patroni-keys/index.js';
import type { SectionContext } from './context.js';

/**
 * Patroni 4.1 keys pgwarden does not honour (patroni-keys/table.ts): refused ones become
 * issues, warned ones a warning each, in patroni.yml and in bootstrap.dcs. Runs after the
 * section checks so a key whose section was already refused (etcd, kubernetes, …) is not
 * reported twice.
 */
export function checkPatroniKeys(ctx: SectionContext, raw: RawConfig): void {
  const bootstrap = isRecord(raw.bootstrap) ? raw.bootstrap : {};
  const findings: KeyFinding[] = [...unhonouredKeys(raw, 'local'), ...unhonouredKeys(bootstrap.dcs, 'dynamic', 'bootstrap.dcs')];
  const reported = ctx.checker.issues.map((issue) => issue.path);
  const covered = (path: string): boolean => reported.some((p) => p === path || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  for (const finding of findings) {
    if (finding.key.status === 'warned') ctx.warnings.push(warnedKeyMessage(finding));
    else if (!covered(finding.path)) ctx.checker.issue(finding.path, undefined, finding.key.reason ?? 'is not supported by pgwarden');
  }
}
