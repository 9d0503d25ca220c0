/**
 * The executable definition of the DCS contract, as a vitest suite. An adapter is
 * correct when this suite passes against a real server. Most adapters call
 * `runConformance({ module, server })` instead, which builds the factory from the
 * adapter module; this is the lower-level form for targets that need their own.
 */
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import type { DcsCapabilities } from '../dcs/adapter.js';
import { createKit } from './context.js';
import { ALL_CONFORMANCE_GROUPS, GROUPS } from './groups/index.js';
import { kitSettings } from './harness.js';
import type { ConformanceFactory, ConformanceOptions, ConformanceTarget } from './target.js';

export { ALL_CONFORMANCE_GROUPS };

export function describeDcsConformance(
  name: string,
  factory: ConformanceFactory,
  capabilities: DcsCapabilities,
  options: ConformanceOptions = {},
): void {
  describe(`DCS conformance: ${name}`, () => {
    let target: ConformanceTarget | undefined;
    const { kit, closeClusters } = createKit(capabilities, kitSettings(capabilities, options), () => target);

    beforeAll(async () => {
      target = await factory.setup();
    });
    afterEach(closeClusters);
    afterAll(async () => {
      await factory.teardown();
    });

    for (const group of options.groups ?? ALL_CONFORMANCE_GROUPS) {
      describe(GROUPS[group].title, () => {
        GROUPS[group].register(kit, (id, title, run) => {
          if (!options.only || options.only.includes(id)) it(title, run);
        });
      });
    }
  });
}
