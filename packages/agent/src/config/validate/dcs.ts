import type { DcsAdapterModule } from '@pgwarden/core';
import { BUILTIN_DCS_PACKAGES, scanDcsSections } from '../dcs-sections.js';
import type { DcsSectionConfig } from '../local-config.js';
import type { RawConfig } from '../records.js';
import type { SectionContext } from './context.js';

/**
 * Exactly one usable DCS section, validated by its adapter's own parseSection. Issues
 * from the adapter keep their paths (`etcd3.hosts[1]`); values are masked again by the
 * caller in case an adapter forgot.
 */
export function checkDcsSection(
  ctx: SectionContext,
  raw: RawConfig,
  adapters: ReadonlyMap<string, DcsAdapterModule>,
): DcsSectionConfig | undefined {
  const { checker } = ctx;
  const { usable, refused } = scanDcsSections(raw);
  for (const { name, reason } of refused) checker.issue(name, undefined, reason);
  if (usable.length === 0) {
    if (refused.length === 0) {
      checker.issue('(dcs)', undefined, `no DCS section; add exactly one of ${Object.keys(BUILTIN_DCS_PACKAGES).join(', ')} (or a section with module: <adapter package>)`);
    }
    return undefined;
  }
  if (usable.length > 1) {
    const names = usable.map((ref) => ref.name).join(', ');
    for (const ref of usable.slice(1)) checker.issue(ref.name, undefined, `is a second DCS section (found ${names}); keep exactly one`);
    return undefined;
  }
  const [ref] = usable;
  if (!ref) return undefined;
  const adapter = adapters.get(ref.name);
  if (!adapter) {
    // loadDcsAdapters reported why; say it here too when validateConfig is called without loading.
    if (!ctx.adapterLoadFailed) checker.issue(ref.name, undefined, `no adapter is loaded for this section (package ${ref.module})`);
    return undefined;
  }
  if (adapter.section !== ref.name) {
    checker.issue(ref.name, undefined, `${ref.module} serves the section '${adapter.section}'; rename the section to ${adapter.section}`);
    return undefined;
  }
  const parsed = adapter.parseSection(ref.raw);
  if (!parsed.ok) {
    for (const issue of parsed.issues) checker.issue(issue.path, issue.value, issue.reason);
    return undefined;
  }
  return { name: ref.name, module: ref.module, settings: parsed.value };
}
