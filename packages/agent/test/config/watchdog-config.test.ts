/**
 * The `watchdog:` section (spec/ha.md §3.11): Patroni's spellings work, unknown words and
 * bad types are refused with the key named.
 */
import { describe, expect, it } from 'vitest';
import { parsePatroniYaml } from '../../src/config/yaml.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { adapters, VALID_YAML } from './helpers.js';

const withWatchdog = (section: string) => validateConfig(parsePatroniYaml(`${VALID_YAML}\nwatchdog:\n${section}`, 't'), { adapters });

describe('watchdog section', () => {
  it('reads mode, device and safety_margin', () => {
    const r = withWatchdog('  mode: required\n  device: /dev/watchdog1\n  safety_margin: -1\n');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.watchdog).toEqual({ mode: 'required', device: '/dev/watchdog1', safetyMargin: -1, driver: 'default' });
    expect(r.warnings.filter((w) => w.startsWith('watchdog'))).toEqual([]);
  });

  it.each([
    ['auto', 'automatic'],
    ['Required', 'required'],
    ['require', 'required'],
    ['disabled', 'off'],
  ])('accepts Patroni\'s spelling %s as %s, with a warning', (word, mode) => {
    const r = withWatchdog(`  mode: ${word}\n`);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.watchdog.mode).toBe(mode);
    expect(r.warnings).toContain(`watchdog.mode: ${word} is read as ${mode}; write ${mode}`);
  });

  it('mode: true turns the watchdog off, as Patroni does, and says so', () => {
    const r = withWatchdog('  mode: true\n');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.watchdog.mode).toBe('off');
    expect(r.warnings.join('\n')).toContain('watchdog.mode: true is not a mode');
  });

  it('refuses unknown modes and bad types, naming each key', () => {
    const r = withWatchdog('  mode: requird\n  device: 7\n  safety_margin: five\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([
      'watchdog.mode: must be one of off, automatic, required',
      'watchdog.device: is not a string; quote it if YAML reads it as a number or boolean',
      'watchdog.safety_margin: is not an integer; write a whole number without quotes or units',
    ]);
  });
});
