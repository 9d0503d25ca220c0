import { parseWatchdogMode } from '@pgwarden/core';
import type { WatchdogConfig } from '../local-config.js';
import type { SectionContext } from './context.js';

const MODES = ['off', 'automatic', 'required'] as const;

/**
 * The `watchdog:` section (spec/ha.md §3.11). `mode: off` arrives as the boolean false
 * (YAML 1.1). Patroni's run time also takes other spellings (`auto`, `require`,
 * `disabled`, any case): they work here too, with a warning naming the canonical word.
 * `true` is not a mode — Patroni runs with the watchdog off — so it is accepted as off
 * with a warning. Any other word is refused: a typo must not silently turn a required
 * safety device off, as it would in Patroni.
 */
export function checkWatchdog(ctx: SectionContext, value: unknown): WatchdogConfig {
  const { checker } = ctx;
  const w = checker.record('watchdog', value) ?? {};
  let mode: WatchdogConfig['mode'] = 'automatic';
  if (w.mode === false) mode = 'off';
  else if (w.mode !== undefined && w.mode !== null) {
    const parsed = parseWatchdogMode(w.mode);
    if (w.mode === true) {
      ctx.warnings.push('watchdog.mode: true is not a mode, so the watchdog is off (as in Patroni); write automatic or required to use it');
      mode = 'off';
    } else if (typeof w.mode === 'string' && parsed.recognized) {
      mode = parsed.mode;
      if (!(MODES as readonly string[]).includes(w.mode)) ctx.warnings.push(`watchdog.mode: ${w.mode} is read as ${mode}; write ${mode}`);
    } else {
      checker.issue('watchdog.mode', w.mode, `must be one of ${MODES.join(', ')}`);
    }
  }
  return {
    mode,
    device: checker.string('watchdog.device', w.device) ?? '/dev/watchdog',
    safetyMargin: checker.int('watchdog.safety_margin', w.safety_margin, { min: -1 }) ?? 5,
    driver: checker.string('watchdog.driver', w.driver) ?? 'default',
  };
}
