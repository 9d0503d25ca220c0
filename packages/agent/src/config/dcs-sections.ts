/**
 * Which top-level section of patroni.yml configures the DCS, and which package serves it.
 *
 * Decision for sections pgwarden does not know: a top-level mapping that is not one of
 * the local sections counts as a DCS section when it has a `module:` key naming the
 * adapter package (or a path to an ESM file). That package's `dcsAdapter.section` must
 * equal the section name, and the adapter's parseSection gets the section without
 * `module`. A known section may also carry `module:` to use another package (a fork).
 * Patroni's etcd (v2), exhibitor, kubernetes and raft sections are refused by name, with
 * what to use instead.
 */
import { isRecord, type RawConfig } from './records.js';

export const BUILTIN_DCS_PACKAGES: Readonly<Record<string, string>> = {
  etcd3: '@pgwarden/dcs-etcd',
  zookeeper: '@pgwarden/dcs-zookeeper',
  consul: '@pgwarden/dcs-consul',
  redis: '@pgwarden/dcs-redis',
};

export const REFUSED_DCS_SECTIONS: Readonly<Record<string, string>> = {
  etcd: 'the etcd v2 API is not supported; rename the section to etcd3 (same keys: hosts, protocol, username, password, cacert, …) and run etcd >= 3.4',
  exhibitor: 'Exhibitor is not supported; list the ZooKeeper servers in a zookeeper section instead',
  kubernetes: 'the Kubernetes DCS is not supported; use etcd3, zookeeper or consul',
  raft: "Patroni's built-in Raft is not supported; use etcd3, zookeeper or consul",
};

/** Top-level keys that are never a DCS section. */
export const LOCAL_SECTIONS = new Set([
  'name',
  'scope',
  'namespace',
  'restapi',
  'ctl',
  'postgresql',
  'watchdog',
  'tags',
  'log',
  'bootstrap',
  'citus',
]);

export interface DcsSectionRef {
  readonly name: string;
  /** The package or file to import. */
  readonly module: string;
  /** True when `module:` named it (not the built-in package for a known name). */
  readonly explicit: boolean;
  /** The section as the adapter should see it (without `module`). */
  readonly raw: unknown;
}

export interface DcsSectionScan {
  /** Sections pgwarden can serve (there must be exactly one). */
  readonly usable: readonly DcsSectionRef[];
  /** Patroni sections pgwarden refuses, with why. */
  readonly refused: readonly { readonly name: string; readonly reason: string }[];
}

export function scanDcsSections(raw: RawConfig): DcsSectionScan {
  const usable: DcsSectionRef[] = [];
  const refused: { name: string; reason: string }[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (LOCAL_SECTIONS.has(name) || value === null || value === undefined) continue;
    const explicit = isRecord(value) && typeof value.module === 'string' && value.module ? value.module : undefined;
    const refusal = REFUSED_DCS_SECTIONS[name];
    if (refusal && !explicit) {
      refused.push({ name, reason: refusal });
      continue;
    }
    const module = explicit ?? BUILTIN_DCS_PACKAGES[name];
    if (!module) continue;
    let section: unknown = value;
    if (explicit && isRecord(value)) {
      const { module: _dropped, ...rest } = value;
      section = rest;
    }
    usable.push({ name, module, explicit: explicit !== undefined, raw: section });
  }
  return { usable, refused };
}
