import { describe, expect, it } from 'vitest';
import { DynamicConfigTracker } from '../../src/config/dynamic-tracker.js';
import { validateDynamicConfig } from '../../src/config/dynamic-schema.js';
import { MemoryLogger } from '../../src/logger.js';

describe('DynamicConfigTracker', () => {
  it('starts from the defaults, or from the validated bootstrap.dcs', () => {
    expect(new DynamicConfigTracker(new MemoryLogger()).current.timing.ttl).toBe(30);
    const bootstrap = validateDynamicConfig({ ttl: 40 }, { pathPrefix: 'bootstrap.dcs' }).config;
    expect(new DynamicConfigTracker(new MemoryLogger(), bootstrap).current.timing.ttl).toBe(40);
  });

  it('applies a valid document and reports unchanged on the same version', () => {
    const tracker = new DynamicConfigTracker(new MemoryLogger());
    expect(tracker.update({ ttl: 45 }, '7').kind).toBe('applied');
    expect(tracker.current.timing.ttl).toBe(45);
    expect(tracker.update({ ttl: 45 }, '7').kind).toBe('unchanged');
    expect(tracker.update({ ttl: 50 }, '8').kind).toBe('applied');
    expect(tracker.current.timing.ttl).toBe(50);
  });

  it('keeps the last good config on an invalid one and warns once per bad document', () => {
    const logger = new MemoryLogger();
    const tracker = new DynamicConfigTracker(logger);
    tracker.update({ ttl: 40, synchronous_mode: true }, '1');
    for (let loop = 0; loop < 5; loop++) {
      const result = tracker.update({ ttl: 60, synchronous_mode: 'maybe' }, '2');
      expect(result.kind).toBe('rejected');
    }
    expect(tracker.current.timing.ttl).toBe(40);
    expect(tracker.current.synchronousMode).toBe(true);
    const warnings = logger.messages('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/synchronous_mode = "maybe": is not a boolean/);
    expect(warnings[0]).toMatch(/previous configuration stays in force/);

    // A different bad document warns again; a good one is applied.
    tracker.update({ ttl: 'x' }, '3');
    expect(logger.messages('warn')).toHaveLength(2);
    expect(tracker.update({ ttl: 25 }, '4').kind).toBe('applied');
    expect(tracker.current.timing.ttl).toBe(25);
  });

  it('identifies documents by content when no version is given', () => {
    const logger = new MemoryLogger();
    const tracker = new DynamicConfigTracker(logger);
    tracker.update({ loop_wait: 'soon' });
    tracker.update({ loop_wait: 'soon' });
    expect(logger.messages('warn')).toHaveLength(1);
  });

  it('logs timing adjustments once when the document is applied', () => {
    const logger = new MemoryLogger();
    const tracker = new DynamicConfigTracker(logger);
    tracker.update({ ttl: 5, loop_wait: 2, retry_timeout: 5 }, '1');
    tracker.update({ ttl: 5, loop_wait: 2, retry_timeout: 5 }, '1');
    expect(logger.messages('warn')).toEqual(['Dynamic configuration: ttl=5 is below the minimum 20; using 20']);
    expect(tracker.current.timing.ttl).toBe(20);
  });
});

describe('DynamicConfigTracker: onNewDocument', () => {
  it('is told each new document once, before validation, and a throwing hook changes nothing', () => {
    const seen: unknown[] = [];
    const tracker = new DynamicConfigTracker(new MemoryLogger(), undefined, { onNewDocument: (d) => seen.push(d) });
    tracker.update({ ttl: 40 }, '1');
    tracker.update({ ttl: 40 }, '1'); // the same modify version: not new
    tracker.update({ ttl: 'x' }, '2'); // new, though refused
    expect(seen).toEqual([{ ttl: 40 }, { ttl: 'x' }]);

    const logger = new MemoryLogger();
    const throwing = new DynamicConfigTracker(logger, undefined, {
      onNewDocument: () => {
        throw new Error('boom');
      },
    });
    expect(throwing.update({ ttl: 50 }, '1').kind).toBe('applied');
    expect(throwing.current.timing.ttl).toBe(50);
    expect(logger.messages('warn').join('\n')).toMatch(/check of unhonoured keys failed \(boom\)/);
  });
});

