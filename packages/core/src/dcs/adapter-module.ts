/**
 * How an adapter package is found: it exports `dcsAdapter`, a DcsAdapterModule. The
 * agent imports a package by name (`@pgwarden/dcs-etcd` for the `etcd3` section, or the
 * `module:` given in patroni.yml) and checks its shape here, so a wrong package gives a
 * message that says what is missing instead of a TypeError mid-start.
 */
import { PgwardenError } from '../errors.js';
import { ADAPTER_EXPORT_NAME, type DcsAdapterModule } from './adapter.js';

export function adapterModuleFrom(imported: unknown, source: string): DcsAdapterModule {
  const candidate = (imported as Record<string, unknown> | null)?.[ADAPTER_EXPORT_NAME];
  const problems: string[] = [];
  if (typeof candidate !== 'object' || candidate === null) {
    problems.push(`it has no export named '${ADAPTER_EXPORT_NAME}'`);
  } else {
    const m = candidate as Record<string, unknown>;
    if (typeof m.section !== 'string' || !m.section) problems.push("'section' is not a non-empty string");
    if (typeof m.parseSection !== 'function') problems.push("'parseSection' is not a function");
    if (typeof m.create !== 'function') problems.push("'create' is not a function");
    const caps = m.capabilities as Record<string, unknown> | undefined;
    if (typeof caps !== 'object' || caps === null || typeof caps.minTtlSeconds !== 'number' || (caps.liveness !== 'loop' && caps.liveness !== 'client')) {
      problems.push("'capabilities' lacks minTtlSeconds or liveness ('loop' | 'client')");
    }
  }
  if (problems.length) {
    throw new PgwardenError('invalid-adapter', `${source} is not a pgwarden DCS adapter: ${problems.join('; ')}`);
  }
  return candidate as DcsAdapterModule;
}
