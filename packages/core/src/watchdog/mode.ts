/**
 * `watchdog.mode` as Patroni reads it at run time (watchdog/base.py parse_mode): YAML's
 * `false` is off, the spellings are case-insensitive and `auto`, `require`, `disable(d)`
 * are accepted; anything else turns the watchdog off with a warning. The agent's config
 * check refuses unknown words up front, so a typo never silently disables a safety device.
 */
export type WatchdogMode = 'off' | 'automatic' | 'required';

export interface ParsedMode {
  readonly mode: WatchdogMode;
  /** False when the value was not one of Patroni's words (the mode is then off). */
  readonly recognized: boolean;
}

const WORDS: Readonly<Record<string, WatchdogMode>> = {
  require: 'required',
  required: 'required',
  auto: 'automatic',
  automatic: 'automatic',
  off: 'off',
  disable: 'off',
  disabled: 'off',
};

export function parseWatchdogMode(value: unknown): ParsedMode {
  if (value === false) return { mode: 'off', recognized: true };
  // Python's str(True) is "True": not a mode word, so Patroni disables the watchdog.
  const word = value === true ? 'true' : String(value).toLowerCase();
  const mode = WORDS[word];
  return mode ? { mode, recognized: true } : { mode: 'off', recognized: false };
}
