/**
 * The HA engine's typed view of the dynamic configuration (`/config`, or
 * `bootstrap.dcs` before the cluster has one). It is the dynamic-config schema of
 * dynamic-schema.ts, read leniently: a value that cannot be used takes its default.
 * The loop itself goes through DynamicConfigTracker, which refuses a bad `/config` as a
 * whole and keeps the last good one.
 */
import type { JsonObject } from '../dcs/cluster.js';
import { DYNAMIC_DEFAULTS, validateDynamicConfig, type DynamicSettings } from './dynamic-schema.js';

export type DynamicConfig = DynamicSettings;
export type { PermanentSlotSpec as PermanentSlot, IgnoreSlotMatcher as IgnoreSlotRule } from './dynamic-slots.js';

export const DEFAULTS = DYNAMIC_DEFAULTS;

/** Reads a dynamic-config document (null or garbage gives the defaults). */
export function readDynamicConfig(data: JsonObject | null | undefined): DynamicConfig {
  return validateDynamicConfig(data ?? {}).config;
}
