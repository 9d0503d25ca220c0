import type { WatchdogConfig } from '../local-config.js';
import type { SectionContext } from './context.js';

const MODES = ['off', 'automatic', 'required'] as const;

/** `mode: off` arrives as the boolean false (YAML 1.1), which Patroni accepts as off. */
export function checkWatchdog(ctx: SectionContext, value: unknown): WatchdogConfig {
  const { checker } = ctx;
  const w = checker.record('watchdog', value) ?? {};
  let mode: WatchdogConfig['mode'] = 'automatic';
  if (w.mode === false) mode = 'off';
  else if (w.mode !== undefined && w.mode !== null) {
    mode = checker.oneOf('watchdog.mode', w.mode, MODES) ?? mode;
  }
  return {
    mode,
    device: checker.string('watchdog.device', w.device) ?? '/dev/watchdog',
    safetyMargin: checker.int('watchdog.safety_margin', w.safety_margin, { min: -1 }) ?? 5,
    driver: checker.string('watchdog.driver', w.driver) ?? 'default',
  };
}
