/**
 * Imports the adapter package for the DCS section (async, before validation), so that
 * `validateConfig` can hand the section to the adapter's own parseSection. A package
 * that is missing or is not an adapter becomes a ConfigIssue, not a crash.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adapterModuleFrom, type ConfigIssue, type DcsAdapterModule } from '@pgwarden/core';
import { scanDcsSections } from './dcs-sections.js';
import type { RawConfig } from './records.js';

export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** Packages import by name; `./x.js` and `/x.js` are files, relative to the working directory. */
export function importSpecifier(module: string, cwd: string = process.cwd()): string {
  if (module.startsWith('.') || isAbsolute(module)) return pathToFileURL(isAbsolute(module) ? module : resolve(cwd, module)).href;
  return module;
}

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

export interface LoadedAdapters {
  /** Keyed by section name. */
  readonly adapters: ReadonlyMap<string, DcsAdapterModule>;
  readonly issues: readonly ConfigIssue[];
}

export async function loadDcsAdapters(raw: RawConfig, importer: ModuleImporter = defaultImporter): Promise<LoadedAdapters> {
  const adapters = new Map<string, DcsAdapterModule>();
  const issues: ConfigIssue[] = [];
  for (const ref of scanDcsSections(raw).usable) {
    let imported: unknown;
    try {
      imported = await importer(importSpecifier(ref.module));
    } catch (error) {
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      issues.push({
        path: ref.explicit ? `${ref.name}.module` : ref.name,
        value: ref.module,
        reason: `cannot load the DCS adapter package ${ref.module} (${detail}); install and build it${ref.explicit ? ', or fix the module path' : ''}`,
      });
      continue;
    }
    try {
      adapters.set(ref.name, adapterModuleFrom(imported, ref.module));
    } catch (error) {
      issues.push({ path: ref.name, value: ref.module, reason: (error as Error).message });
    }
  }
  return { adapters, issues };
}
