/**
 * Holds the dynamic configuration in force. Every `/config` read goes through
 * `update`; a document with issues is refused and the last good one stays in force,
 * with one warning per bad document (not one per HA loop, which re-reads it every
 * `loop_wait`). Adjustments (timing raised to its minimums, ignored settings) are logged
 * once when a document is accepted.
 */
import { formatConfigIssue } from '../errors.js';
import type { Logger } from '../logger.js';
import { toPatroniJson } from '../dcs/codec/json.js';
import { defaultDynamicSettings, validateDynamicConfig, type DynamicSettings, type DynamicValidation } from './dynamic-schema.js';

export type DynamicUpdate =
  /** The document was new and valid; it is now in force. */
  | { readonly kind: 'applied'; readonly config: DynamicSettings }
  /** Same document (or modify version) as the one already considered. */
  | { readonly kind: 'unchanged'; readonly config: DynamicSettings }
  /** The document has issues; `config` is the last good one, still in force. */
  | { readonly kind: 'rejected'; readonly config: DynamicSettings; readonly validation: DynamicValidation };

export class DynamicConfigTracker {
  private good: DynamicSettings;
  /** Identity of the last document considered (modify version, else its JSON). */
  private lastSeen: string | undefined;

  /**
   * `initial` is what is in force before the first `/config` read: the validated
   * `bootstrap.dcs`, the cached copy, or (by default) every default.
   */
  constructor(
    private readonly logger: Logger,
    initial: DynamicSettings = defaultDynamicSettings(),
  ) {
    this.good = initial;
  }

  get current(): DynamicSettings {
    return this.good;
  }

  /**
   * Considers a `/config` document. `modifyVersion`, when given, identifies the
   * document (Patroni re-applies only when it changes); otherwise its content does.
   */
  update(data: unknown, modifyVersion?: string): DynamicUpdate {
    const identity = modifyVersion !== undefined && modifyVersion !== '' ? `v:${modifyVersion}` : `j:${toPatroniJson(data ?? null)}`;
    const repeated = identity === this.lastSeen;
    const validation = validateDynamicConfig(data);
    if (repeated) {
      return validation.issues.length === 0 ? { kind: 'unchanged', config: this.good } : { kind: 'rejected', config: this.good, validation };
    }
    this.lastSeen = identity;
    if (validation.issues.length > 0) {
      this.logger.warn(
        `Ignoring the dynamic configuration in the DCS: ${validation.issues.map(formatConfigIssue).join('; ')}. ` +
          'The previous configuration stays in force; fix /config with patronictl edit-config or PATCH /config.',
        { issues: validation.issues },
      );
      return { kind: 'rejected', config: this.good, validation };
    }
    for (const adjustment of validation.adjustments) this.logger.warn(`Dynamic configuration: ${adjustment}`);
    this.good = validation.config;
    return { kind: 'applied', config: this.good };
  }
}
